import QuorateCore

/// Where a JSON-RPC method reads the ledger and submits transactions: the node implements it.
/// Keeps the RPC layer free of storage, mempool and consensus types.
public protocol RPCBackend: AnyObject, Sendable {
    var chainId: UInt64 { get }
    var clientVersion: String { get }
    /// The newest committed block header.
    func head() -> BlockHeader
    func block(at height: UInt64) throws -> Block?
    func height(ofBlock hash: Hash32) throws -> UInt64?
    /// Committed transaction location, or nil.
    func transactionLocation(_ hash: Hash32) throws -> (height: UInt64, index: Int)?
    func receipts(at height: UInt64) throws -> [Receipt]
    /// A pooled (not yet committed) transaction and its sender, or nil.
    func pendingTransaction(_ hash: Hash32) -> (Transaction, Address)?
    /// The account at a committed height (nil: the latest block). Absent accounts are empty.
    func account(_ address: Address, at height: UInt64?) throws -> AccountView
    /// The next nonce counting pooled transactions (the `pending` tag).
    func pendingNonce(_ address: Address) throws -> UInt64
    /// Decodes, checks and pools a raw transaction; returns its hash. Every refusal is an
    /// `AdmissionError`, answered with its geth wording.
    func submitRawTransaction(_ raw: [UInt8]) throws(AdmissionError) -> Hash32
    func commitCertificate(at height: UInt64) throws -> CommitCertificate?
    func validators(at height: UInt64) throws -> ValidatorSet
    /// An account proof against the state root of the block at `height` (nil: latest): the
    /// encoded proof and the root it verifies against.
    func accountProof(_ address: Address, at height: UInt64?) throws -> AccountProofView
    var peerCount: Int { get }
    /// nil when in sync; otherwise (starting, current, highest) block.
    func syncStatus() -> (startingBlock: UInt64, currentBlock: UInt64, highestBlock: UInt64)?
    var baseFeePerGas: UInt256 { get }
    /// Whether genesis turned account permissioning on (roles are enforced).
    var accountPermissioning: Bool { get }
    var blockGasLimit: UInt64 { get }
    /// Where consensus stands, for `quorate_status`; nil before it has started.
    func consensusView() -> ConsensusView?
}

/// The consensus state as operators read it (height, round, step, who is missing).
public struct ConsensusView: Sendable {
    public var height: UInt64
    public var round: UInt32
    public var step: String
    public var proposer: Address?
    public var lockedRound: UInt32?
    public var missingPrevotes: [Address]
    public var missingPrecommits: [Address]
    public init(height: UInt64, round: UInt32, step: String, proposer: Address?, lockedRound: UInt32?,
                missingPrevotes: [Address], missingPrecommits: [Address]) {
        self.height = height
        self.round = round
        self.step = step
        self.proposer = proposer
        self.lockedRound = lockedRound
        self.missingPrevotes = missingPrevotes
        self.missingPrecommits = missingPrecommits
    }
}

public struct AccountView: Sendable, Equatable {
    public var nonce: UInt64
    public var balance: UInt256
    /// Role bits (QuorateCore's `Roles`).
    public var roles: UInt64
    public init(nonce: UInt64, balance: UInt256, roles: UInt64 = 0) {
        self.nonce = nonce
        self.balance = balance
        self.roles = roles
    }
}

public struct AccountProofView: Sendable {
    public var address: Address
    public var height: UInt64
    public var stateRoot: Hash32
    public var account: AccountView?
    /// The proof's canonical encoding (QuorateState's StateProof), which offline verifiers read.
    public var proof: [UInt8]
    public var siblings: [Hash32]
    public init(address: Address, height: UInt64, stateRoot: Hash32, account: AccountView?, proof: [UInt8], siblings: [Hash32]) {
        self.address = address
        self.height = height
        self.stateRoot = stateRoot
        self.account = account
        self.proof = proof
        self.siblings = siblings
    }
}

/// A rejected submission: `message` is what the JSON-RPC error carries (geth's wording).
public struct SubmitError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
