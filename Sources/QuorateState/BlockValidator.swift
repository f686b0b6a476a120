import QuorateCore

/// Checks a proposed block against its parent by executing it: a validator votes for a block only
/// if it gets the same roots. Time checks (how far a timestamp may be ahead of the local clock)
/// belong to the caller, which owns the clock.
public enum BlockValidator {
    /// `sender` returns the sender of a transaction, from the mempool's cache when the signature was
    /// already checked there, so that no signature is verified twice.
    /// `skipStateRootCheck` is the whole-node simulator's planted bug (b); production never sets it.
    public static func validate(_ block: Block, parent: ParentState, rules: ChainRules, skipStateRootCheck: Bool = false,
                                sender: (Transaction) throws -> Address) throws -> ExecutedBlock {
        let h = block.header
        func fail(_ why: String) -> BlockValidationError {
            BlockValidationError("block \(h.height) (\(h.hash)) is invalid: \(why)")
        }
        guard h.chainId == rules.chainId else { throw fail("chain id \(h.chainId), expected \(rules.chainId)") }
        guard h.height == parent.header.height + 1 else { throw fail("height does not follow \(parent.header.height)") }
        guard h.parentHash == parent.header.hash else { throw fail("parent hash does not match block \(parent.header.height)") }
        guard h.timestampMs >= parent.header.timestampMs else { throw fail("timestamp is before its parent's") }
        guard parent.nextValidators.contains(h.proposer) else { throw fail("proposer \(h.proposer) is not a validator") }
        guard h.validatorsHash == parent.nextValidators.hash else { throw fail("validators hash does not match") }
        guard h.gasLimit == rules.fees.blockGasLimit, h.baseFeePerGas == rules.fees.baseFeePerGas else {
            throw fail("gas limit or base fee differs from the chain's rules")
        }
        guard UInt64(block.transactions.count) <= rules.consensus.maxBlockTransactions else {
            throw fail("\(block.transactions.count) transactions exceed the limit of \(rules.consensus.maxBlockTransactions)")
        }
        let bytes = block.transactions.reduce(UInt64(0)) { $0 + UInt64($1.raw.count) }
        guard bytes <= rules.consensus.maxBlockBytes else { throw fail("transactions exceed \(rules.consensus.maxBlockBytes) bytes") }
        try checkLastCommit(block, parent: parent, rules: rules, fail: fail)
        guard h.transactionsRoot == Block.transactionsRoot(block.transactions) else { throw fail("transactions root does not match") }

        let environment = BlockEnvironment(height: h.height, timestampMs: h.timestampMs, parentHash: parent.header.hash,
                                           gasLimit: rules.fees.blockGasLimit, blockHashes: parent.blockHashes)
        var state = StateOverlay(base: parent.accounts,
                                 validators: ValidatorContext(height: h.height, timestampMs: h.timestampMs, current: parent.nextValidators))
        var senders = [Address]()
        var receipts = [Receipt]()
        var gasUsed: UInt64 = 0
        senders.reserveCapacity(block.transactions.count)
        for (i, tx) in block.transactions.enumerated() {
            let from: Address
            do { from = try sender(tx) } catch { throw fail("transaction \(i) has an invalid signature: \(error)") }
            do {
                let receipt = try BlockExecutor.apply(tx, sender: from, proposer: h.proposer, fees: rules.fees,
                                                      chainId: rules.chainId, accountPermissioning: rules.accountPermissioning,
                                                      cumulativeGasUsed: gasUsed, environment: environment, state: &state)
                gasUsed = receipt.cumulativeGasUsed
                guard gasUsed <= rules.fees.blockGasLimit else { throw fail("gas used exceeds the block gas limit") }
                senders.append(from)
                receipts.append(receipt)
            } catch let rejection as TransactionRejection {
                throw fail("transaction \(i) (\(tx.hash)) cannot execute: \(rejection)")
            }
        }
        guard h.gasUsed == gasUsed else { throw fail("gas used \(h.gasUsed), executed \(gasUsed)") }
        guard h.receiptsRoot == Receipt.root(receipts) else { throw fail("receipts root does not match") }
        guard h.logsBloom == Receipt.bloom(receipts) else { throw fail("logs bloom does not match the receipts' logs") }
        let update = try state.commitment(root: parent.header.stateRoot, reader: parent.nodes)
        guard skipStateRootCheck || h.stateRoot == update.newRoot else { throw fail("state root \(h.stateRoot), executed \(update.newRoot)") }
        let validators = state.validators!
        guard h.nextValidatorsHash == validators.next.hash else {
            throw fail("next validators hash does not match the set its validator votes leave")
        }
        return ExecutedBlock(block: block, senders: senders, receipts: receipts,
                             changedAccounts: state.changedAccounts, stateUpdate: update, newCode: state.newCode,
                             nextValidators: validators.passed.isEmpty ? nil : validators.next,
                             passedChanges: validators.passed)
    }

    private static func checkLastCommit(_ block: Block, parent: ParentState, rules: ChainRules,
                                        fail: (String) -> BlockValidationError) throws {
        let h = block.header
        guard let commit = block.lastCommit else {
            guard h.height == 1, h.lastCommitHash == .zero else { throw fail("missing the parent's commit certificate") }
            return
        }
        guard h.height > 1 else { throw fail("the first block carries no commit certificate") }
        guard h.lastCommitHash == commit.hash else { throw fail("last commit hash does not match its certificate") }
        guard commit.height == parent.header.height, commit.blockHash == parent.header.hash else {
            throw fail("last commit certifies another block")
        }
        do {
            try commit.verify(validators: parent.validators, chainId: rules.chainId)
        } catch {
            throw fail("last commit: \(error)")
        }
    }
}
