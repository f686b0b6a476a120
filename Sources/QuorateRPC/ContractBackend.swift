import QuorateCore

/// What the contract methods (eth_call, eth_estimateGas, eth_getCode, eth_getStorageAt, traces,
/// storage proofs) need from the node beyond `RPCBackend`.
public protocol ContractBackend: RPCBackend {
    func code(_ address: Address, at height: UInt64?) throws -> [UInt8]
    func storage(_ address: Address, slot: UInt256, at height: UInt64?) throws -> UInt256
    /// Runs a message call or creation on a copy of the state at `height` (nil: the head),
    /// changing nothing. `trace` asks for a trace in the result.
    func call(_ request: CallRequest, at height: UInt64?, trace: TraceRequest?) throws -> CallResult
    /// Re-executes the block holding `hash` up to that transaction and traces it.
    func traceTransaction(_ hash: Hash32, trace: TraceRequest) throws -> JSON
    /// Storage proofs of `slots` of `address` at `height` (nil: latest), besides the account proof.
    func storageProofs(_ address: Address, slots: [UInt256], at height: UInt64?) throws -> [StorageProofView]
    /// Hashes of pooled transactions (for pending-transaction filters), at most `limit`.
    func pendingTransactionHashes(limit: Int) -> [Hash32]
    var callLimits: CallLimits { get }
}

/// Bounds of eth_call and eth_estimateGas (docs/json-rpc.md): geth's `--rpc.gascap` and
/// `--rpc.evmtimeout`.
public struct CallLimits: Sendable {
    public var gasCap: UInt64 = 50_000_000
    public var timeoutMs: UInt64 = 5_000
    public init() {}
}

/// The fields of a call object (eth_call, eth_estimateGas, debug_traceCall).
public struct CallRequest: Sendable {
    public var from: Address?
    public var to: Address?
    public var gas: UInt64?
    public var gasPrice: UInt256?
    public var maxFeePerGas: UInt256?
    public var maxPriorityFeePerGas: UInt256?
    public var value: UInt256 = .zero
    public var data: [UInt8] = []
    public var accessList: [AccessListEntry] = []
    public init() {}
}

/// Which tracer a trace request names.
public enum TraceRequest: Sendable {
    /// The default struct logger (opcode steps), with at most `maxSteps` steps kept.
    case structLogs(maxSteps: Int, withStorage: Bool, withMemory: Bool, withStack: Bool)
    /// geth's callTracer: the tree of calls.
    case callTracer(onlyTopCall: Bool)
}

public struct CallResult: Sendable {
    public enum Status: Sendable, Equatable {
        case success
        case revert
        /// An exceptional halt, with geth's reason ("out of gas", "invalid opcode", ...).
        case failure(String)
        /// The call could not run at all (insufficient funds, intrinsic gas too low, time out).
        case invalid(String)
    }
    public var status: Status
    public var output: [UInt8]
    public var gasUsed: UInt64
    public var trace: JSON?
    public init(status: Status, output: [UInt8], gasUsed: UInt64, trace: JSON? = nil) {
        self.status = status
        self.output = output
        self.gasUsed = gasUsed
        self.trace = trace
    }
}

public struct StorageProofView: Sendable {
    public var slot: UInt256
    public var value: UInt256
    /// The proof's canonical encoding (QuorateState's StateProof) against the account's storage root.
    public var proof: [UInt8]
    public var siblings: [Hash32]
    public var storageRoot: Hash32
    public var codeHash: Hash32
    public init(slot: UInt256, value: UInt256, proof: [UInt8], siblings: [Hash32], storageRoot: Hash32, codeHash: Hash32) {
        self.slot = slot
        self.value = value
        self.proof = proof
        self.siblings = siblings
        self.storageRoot = storageRoot
        self.codeHash = codeHash
    }
}
