import QuorateCore
import QuorateEVM

/// Applies transactions to a state overlay. Deterministic: same parent state and transactions,
/// same receipts and state.
public enum BlockExecutor {
    /// Applies one transaction. Throws `TransactionRejection` and leaves `state` unchanged when the
    /// transaction cannot execute on this state (wrong nonce, not enough balance, not permitted).
    ///
    /// Transactions to system addresses (docs/permissioning.md) pay their gas like a transfer,
    /// move no value and change a governance record instead: roles (`SystemAddress.permissions`,
    /// from an admin), validator votes (`.validatorVotes`, from a validator of `state.validators`),
    /// node keys (`.nodes`, from an admin). With `accountPermissioning`, other senders need `transact`.
    public static func apply(_ tx: Transaction, sender: Address, proposer: Address, fees: FeeParams, chainId: UInt64,
                             accountPermissioning: Bool = false, cumulativeGasUsed: UInt64,
                             environment: BlockEnvironment? = nil, tracer: EVMTracer? = nil,
                             state: inout StateOverlay) throws -> Receipt {
        try TransactionRules.checkStateless(tx, chainId: chainId, fees: fees)
        var from = try state.account(sender)
        let command = try TransactionRules.systemCommand(tx, sender: sender, roles: Roles(rawValue: from.roles),
                                                         accountPermissioning: accountPermissioning)
        guard tx.nonce == from.nonce else {
            throw tx.nonce < from.nonce
                ? TransactionRejection(.nonceTooLow, "nonce too low: next nonce \(from.nonce), tx nonce \(tx.nonce)")
                : TransactionRejection(.nonceTooHigh, "nonce too high: next nonce \(from.nonce), tx nonce \(tx.nonce)")
        }
        guard from.nonce < UInt64.max else { throw TransactionRejection(.overflow, "nonce has max value") }
        try TransactionRules.checkFunds(tx, sender: sender, balance: from.balance)
        // The fast path (no EVM) is a transaction to an account without code that is no precompile.
        if command == nil, try needsEVM(tx.to, state: &state) {
            let env = environment ?? BlockEnvironment(height: 0, timestampMs: 0, parentHash: .zero, gasLimit: fees.blockGasLimit)
            return try applyEVM(tx, sender: sender, proposer: proposer, fees: fees, chainId: chainId,
                                cumulativeGasUsed: cumulativeGasUsed, environment: env, tracer: tracer, state: &state)
        }

        // No EVM: a transfer uses exactly its intrinsic gas.
        let gasUsed = tx.intrinsicGas
        let price = tx.effectiveGasPrice(baseFee: fees.baseFeePerGas)
        let fee = UInt256(gasUsed) * price
        // The base-fee part is burned, as in Ethereum; the tip goes to the block's proposer.
        let tip = fee - UInt256(gasUsed) * fees.baseFeePerGas

        // Governance records first: a vote that cannot apply throws before anything is written.
        switch command {
        case .validatorVote(let vote)?: try ValidatorGovernance.apply(vote, sender: sender, state: &state)
        case .nodeKey(let nodeCommand)?: try OnChainNodeKeys.apply(nodeCommand, state: &state)
        case .role?, nil: break
        }
        from.nonce += 1
        from.balance = from.balance - fee - tx.value
        state.setAccount(sender, from)
        let to = tx.to!
        if case .role(let roleCommand)? = command {
            // Read after the sender is written: an admin may change its own roles.
            var target = try state.account(roleCommand.account)
            switch roleCommand.operation {
            case .grant: target.roles |= roleCommand.roles.rawValue
            case .revoke: target.roles &= ~roleCommand.roles.rawValue
            }
            state.setAccount(roleCommand.account, target)
        } else if command == nil {
            var recipient = try state.account(to)
            recipient.balance = add(recipient.balance, tx.value)
            state.setAccount(to, recipient)
        }
        if !tip.isZero {
            var miner = try state.account(proposer)
            miner.balance = add(miner.balance, tip)
            state.setAccount(proposer, miner)
        }
        return Receipt(transactionHash: tx.hash, type: tx.type, status: 1, from: sender, to: to, gasUsed: gasUsed,
                       cumulativeGasUsed: cumulativeGasUsed + gasUsed, effectiveGasPrice: price)
    }

    private static func needsEVM(_ to: Address?, state: inout StateOverlay) throws -> Bool {
        guard let to else { return true }
        if Precompiles.contains(to) { return true }
        return try state.account(to).hasCode
    }

    /// Genesis refuses a total supply over 2^256 and transfers only move value, so no balance can overflow.
    private static func add(_ a: UInt256, _ b: UInt256) -> UInt256 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        precondition(!overflow, "a balance overflowed although the total supply fits in 256 bits")
        return sum
    }
}
