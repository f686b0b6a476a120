import QuorateCore
import QuorateEVM

/// What the block gives the EVM beyond the chain's rules (DESIGN.md section 13): PREVRANDAO is
/// the parent's hash, TIMESTAMP the header's seconds, BLOCKHASH the committed hashes.
public struct BlockEnvironment: Sendable {
    public var height: UInt64
    public var timestampMs: UInt64
    public var parentHash: Hash32
    public var gasLimit: UInt64
    /// The hash of a committed block by height (nil when unknown); BLOCKHASH asks for the 256
    /// blocks before this one.
    public var blockHashes: @Sendable (UInt64) -> Hash32?

    public init(height: UInt64, timestampMs: UInt64, parentHash: Hash32, gasLimit: UInt64,
                blockHashes: @escaping @Sendable (UInt64) -> Hash32? = { _ in nil }) {
        self.height = height
        self.timestampMs = timestampMs
        self.parentHash = parentHash
        self.gasLimit = gasLimit
        self.blockHashes = blockHashes
    }

    public func context(proposer: Address, fees: FeeParams, chainId: UInt64) -> BlockContext {
        BlockContext(coinbase: proposer, number: height, timestamp: timestampMs / 1000, gasLimit: gasLimit,
                     baseFee: fees.baseFeePerGas, prevRandao: parentHash, chainId: UInt256(chainId))
    }

    func blockHash(_ number: UInt64) -> Hash32 {
        if number + 1 == height { return parentHash }
        guard number < height else { return .zero }
        return blockHashes(number) ?? .zero
    }
}

extension Transaction {
    /// The transaction as the EVM applies it.
    public func evmTransaction(sender: Address) -> EVMTransaction {
        EVMTransaction(type: type.rawValue, sender: sender, to: to, nonce: nonce, value: value, data: data,
                       gasLimit: gasLimit, gasPrice: gasPrice, maxFeePerGas: maxFeePerGas,
                       maxPriorityFeePerGas: maxPriorityFeePerGas,
                       accessList: accessList.map { entry in
                           (address: entry.address, storageKeys: entry.storageKeys.map { UInt256(bigEndian: $0.bytes)! })
                       })
    }
}

extension BlockExecutor {
    /// A creation, or a call to code or a precompile: TransactionProcessor.apply against the
    /// overlay. A transaction the EVM finds invalid is rejected like any other; one that
    /// executes and fails is included with status 0, its gas charged.
    static func applyEVM(_ tx: Transaction, sender: Address, proposer: Address, fees: FeeParams, chainId: UInt64,
                         cumulativeGasUsed: UInt64, environment: BlockEnvironment, tracer: EVMTracer?,
                         state: inout StateOverlay) throws -> Receipt {
        // Ethereum's rule: a transaction's gas limit must fit in what the block has left.
        guard tx.gasLimit <= environment.gasLimit - min(environment.gasLimit, cumulativeGasUsed) else {
            throw TransactionRejection(.blockGasExhausted,
                                       "gas limit reached: transaction gas \(tx.gasLimit), block gas left \(environment.gasLimit - min(environment.gasLimit, cumulativeGasUsed))")
        }
        let outcome = try execute(tx.evmTransaction(sender: sender),
                                  block: environment.context(proposer: proposer, fees: fees, chainId: chainId),
                                  environment: environment, tracer: tracer, state: &state)
        let price = tx.effectiveGasPrice(baseFee: fees.baseFeePerGas)
        return Receipt(transactionHash: tx.hash, type: tx.type, status: outcome.status == .success ? 1 : 0,
                       from: sender, to: tx.to, gasUsed: outcome.gasUsed,
                       cumulativeGasUsed: cumulativeGasUsed + outcome.gasUsed, effectiveGasPrice: price,
                       contractAddress: outcome.contractAddress, logs: outcome.logs)
    }

    /// Runs one EVM transaction on `state`. Throws a rejection (state unchanged) when it is invalid.
    public static func execute(_ evmTx: EVMTransaction, block: BlockContext, environment: BlockEnvironment,
                               tracer: EVMTracer?, state: inout StateOverlay) throws -> TransactionOutcome {
        let host = OverlayHost(state: state.takeForHost(), blockHashes: environment.blockHash)
        defer { state = host.state.takeForHost() }
        let result = TransactionProcessor.apply(evmTx, host: host, block: block, tracer: tracer)
        if let failure = host.failure { throw failure }
        switch result {
        case .success(let outcome): return outcome
        case .failure(let invalid): throw TransactionRejection(rejection: invalid)
        }
    }
}

extension TransactionRejection {
    init(rejection invalid: InvalidTransaction) {
        let kind: Kind
        switch invalid {
        case .nonceTooLow: kind = .nonceTooLow
        case .nonceTooHigh: kind = .nonceTooHigh
        case .nonceMax, .valueOverflow: kind = .overflow
        case .intrinsicGasTooLow: kind = .intrinsicGasTooLow
        case .gasLimitAboveBlockLimit: kind = .gasLimitTooHigh
        case .insufficientFunds: kind = .insufficientFunds
        case .feeCapBelowBaseFee: kind = .feeCapBelowBaseFee
        case .priorityFeeAboveFeeCap: kind = .tipAboveFeeCap
        case .senderHasCode: kind = .notPermitted
        case .initcodeTooLarge: kind = .oversizedData
        case .blobTransactionsUnsupported: kind = .invalidSystemTransaction
        }
        self.init(kind, invalid.description)
    }
}

extension StateOverlay {
    /// Moves the overlay out, leaving an empty one behind, so the host owns its tables uniquely
    /// (a copy would duplicate every table on the host's first write).
    mutating func takeForHost() -> StateOverlay {
        var taken = StateOverlay(base: EmptyAccounts())
        swap(&taken, &self)
        return taken
    }
}

/// The reader of a state with nothing in it: what a taken overlay is left with.
struct EmptyAccounts: AccountReader {
    func account(_ address: Address) throws -> Account? { nil }
    func stateValue(_ key: Hash32) throws -> [UInt8]? { nil }
    func contractCode(_ codeHash: Hash32) throws -> [UInt8]? { nil }
    func storageValue(root: Hash32, key: Hash32) throws -> [UInt8]? { nil }
}
