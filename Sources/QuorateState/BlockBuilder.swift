import QuorateCore

/// Builds a block proposal: executes candidate transactions in order against the parent state and
/// keeps those that apply, within the block's count, byte and gas limits.
public enum BlockBuilder {
    public struct Candidate: Sendable {
        public let transaction: Transaction
        public let sender: Address
        public init(transaction: Transaction, sender: Address) {
            self.transaction = transaction
            self.sender = sender
        }
    }

    public struct Output: Sendable {
        public let executed: ExecutedBlock
        /// Candidates that cannot execute on this state, with the reason; the mempool drops them.
        public let rejected: [(Hash32, TransactionRejection)]
    }

    /// `stopAdding` is asked before each candidate once one is in: the proposer's own bound on how
    /// long building may execute (a node-local policy; the block's validity does not depend on it).
    public static func build(parent: ParentState, candidates: [Candidate], proposer: Address, timestampMs: UInt64,
                             lastCommit: CommitCertificate?, rules: ChainRules,
                             stopAdding: () -> Bool = { false }) throws -> Output {
        var state = StateOverlay(base: parent.accounts,
                                 validators: ValidatorContext(height: parent.header.height + 1, timestampMs: timestampMs,
                                                              current: parent.nextValidators))
        let environment = BlockEnvironment(height: parent.header.height + 1, timestampMs: timestampMs,
                                           parentHash: parent.header.hash, gasLimit: rules.fees.blockGasLimit,
                                           blockHashes: parent.blockHashes)
        var included = [Transaction]()
        var senders = [Address]()
        var receipts = [Receipt]()
        var rejected = [(Hash32, TransactionRejection)]()
        var gasUsed: UInt64 = 0
        var bytes: UInt64 = 0
        for candidate in candidates {
            let tx = candidate.transaction
            // The bound never empties a block: a clock that jumped must not turn a full pool into
            // an empty proposal.
            guard UInt64(included.count) < rules.consensus.maxBlockTransactions, included.isEmpty || !stopAdding() else { break }
            if bytes + UInt64(tx.raw.count) > rules.consensus.maxBlockBytes { continue }
            if gasUsed + tx.intrinsicGas > rules.fees.blockGasLimit { continue }
            do {
                let receipt = try BlockExecutor.apply(tx, sender: candidate.sender, proposer: proposer, fees: rules.fees,
                                                      chainId: rules.chainId, accountPermissioning: rules.accountPermissioning,
                                                      cumulativeGasUsed: gasUsed, environment: environment, state: &state)
                included.append(tx)
                senders.append(candidate.sender)
                receipts.append(receipt)
                gasUsed = receipt.cumulativeGasUsed
                bytes += UInt64(tx.raw.count)
            } catch let rejection as TransactionRejection {
                // A nonce gap just means an earlier transaction of this sender is not in; keep it pooled.
                // So does a block without gas left for it.
                if rejection.kind != .nonceTooHigh && rejection.kind != .blockGasExhausted { rejected.append((tx.hash, rejection)) }
            }
        }
        let update = try state.commitment(root: parent.header.stateRoot, reader: parent.nodes)
        let validators = state.validators!
        let header = BlockHeader(
            chainId: rules.chainId, height: parent.header.height + 1, timestampMs: timestampMs,
            parentHash: parent.header.hash, proposer: proposer,
            transactionsRoot: Block.transactionsRoot(included), receiptsRoot: Receipt.root(receipts),
            stateRoot: update.newRoot, validatorsHash: parent.nextValidators.hash,
            nextValidatorsHash: validators.next.hash, lastCommitHash: lastCommit?.hash ?? .zero,
            gasLimit: rules.fees.blockGasLimit, gasUsed: gasUsed, baseFeePerGas: rules.fees.baseFeePerGas,
            logsBloom: Receipt.bloom(receipts))
        let block = Block(header: header, transactions: included, lastCommit: lastCommit)
        let executed = ExecutedBlock(block: block, senders: senders, receipts: receipts,
                                     changedAccounts: state.changedAccounts, stateUpdate: update, newCode: state.newCode,
                                     nextValidators: validators.passed.isEmpty ? nil : validators.next,
                                     passedChanges: validators.passed)
        return Output(executed: executed, rejected: rejected)
    }
}
