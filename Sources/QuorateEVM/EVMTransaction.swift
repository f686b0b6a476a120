import QuorateCore

/// A transaction as the EVM applies it: already decoded, its sender already recovered.
/// Both the chain's executor and the state-test runner build one.
public struct EVMTransaction: Sendable {
    /// 0 legacy, 1 EIP-2930, 2 EIP-1559, 3 EIP-4844 (always refused: no blobs on this chain).
    public var type: UInt8
    public var sender: Address
    /// nil creates a contract.
    public var to: Address?
    public var nonce: UInt64
    public var value: UInt256
    public var data: [UInt8]
    public var gasLimit: UInt64
    /// Legacy and type 1.
    public var gasPrice: UInt256
    /// Type 2 (and 3).
    public var maxFeePerGas: UInt256
    public var maxPriorityFeePerGas: UInt256
    public var accessList: [(address: Address, storageKeys: [UInt256])]
    public var blobVersionedHashes: [Hash32]
    public var maxFeePerBlobGas: UInt256

    public init(type: UInt8, sender: Address, to: Address?, nonce: UInt64, value: UInt256,
                data: [UInt8], gasLimit: UInt64, gasPrice: UInt256 = 0, maxFeePerGas: UInt256 = 0,
                maxPriorityFeePerGas: UInt256 = 0,
                accessList: [(address: Address, storageKeys: [UInt256])] = [],
                blobVersionedHashes: [Hash32] = [], maxFeePerBlobGas: UInt256 = 0) {
        self.type = type
        self.sender = sender
        self.to = to
        self.nonce = nonce
        self.value = value
        self.data = data
        self.gasLimit = gasLimit
        self.gasPrice = gasPrice
        self.maxFeePerGas = maxFeePerGas
        self.maxPriorityFeePerGas = maxPriorityFeePerGas
        self.accessList = accessList
        self.blobVersionedHashes = blobVersionedHashes
        self.maxFeePerBlobGas = maxFeePerBlobGas
    }
}

/// Why a transaction cannot be included at all. The state is unchanged when one is returned.
public enum InvalidTransaction: Error, Equatable, Sendable, CustomStringConvertible {
    case nonceTooLow(expected: UInt64, got: UInt64)
    case nonceTooHigh(expected: UInt64, got: UInt64)
    case nonceMax
    case intrinsicGasTooLow(needed: UInt64, got: UInt64)
    case gasLimitAboveBlockLimit(gasLimit: UInt64, blockGasLimit: UInt64)
    case insufficientFunds(needed: UInt256, balance: UInt256)
    case feeCapBelowBaseFee(maxFeePerGas: UInt256, baseFee: UInt256)
    case priorityFeeAboveFeeCap
    case senderHasCode
    case initcodeTooLarge(size: Int, limit: Int)
    case blobTransactionsUnsupported
    case valueOverflow

    public var description: String {
        switch self {
        case .nonceTooLow(let e, let g): return "nonce too low: address nonce \(e), transaction nonce \(g)"
        case .nonceTooHigh(let e, let g): return "nonce too high: address nonce \(e), transaction nonce \(g)"
        case .nonceMax: return "nonce has max value"
        case .intrinsicGasTooLow(let n, let g): return "intrinsic gas too low: have \(g), want \(n)"
        case .gasLimitAboveBlockLimit(let g, let b): return "exceeds block gas limit: gas \(g), block gas limit \(b)"
        case .insufficientFunds(let n, let b): return "insufficient funds for gas * price + value: balance \(b), needed \(n)"
        case .feeCapBelowBaseFee(let f, let b): return "max fee per gas less than block base fee: maxFeePerGas \(f), baseFee \(b)"
        case .priorityFeeAboveFeeCap: return "max priority fee per gas higher than max fee per gas"
        case .senderHasCode: return "sender not an eoa"
        case .initcodeTooLarge(let s, let l): return "max initcode size exceeded: code size \(s), limit \(l)"
        case .blobTransactionsUnsupported: return "blob transactions (type 3) are not supported: a Quorate chain carries no blobs"
        case .valueOverflow: return "value overflows 256 bits"
        }
    }
}

/// How an included transaction's execution ended.
public enum ExecutionStatus: Equatable, Sendable {
    case success
    /// REVERT: state changes undone, unused gas returned, `output` holds the revert data.
    case revert
    /// An exceptional halt (out of gas, invalid opcode, stack error, ...): all gas consumed.
    case failure(String)
}

/// The result of applying an included transaction: the host holds the post-state.
public struct TransactionOutcome: Sendable {
    public var status: ExecutionStatus
    /// Gas charged to the sender after refunds.
    public var gasUsed: UInt64
    /// The refund that was applied (already subtracted from `gasUsed`).
    public var gasRefunded: UInt64
    public var output: [UInt8]
    /// Empty unless the status is success.
    public var logs: [EVMLog]
    /// The new contract for a successful creation.
    public var contractAddress: Address?

    public init(status: ExecutionStatus, gasUsed: UInt64, gasRefunded: UInt64, output: [UInt8],
                logs: [EVMLog], contractAddress: Address?) {
        self.status = status
        self.gasUsed = gasUsed
        self.gasRefunded = gasRefunded
        self.output = output
        self.logs = logs
        self.contractAddress = contractAddress
    }
}
