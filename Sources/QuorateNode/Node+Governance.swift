import QuorateCore
import QuorateRPC
import QuorateState
import QuorateStorage

extension Node {
    /// The permission and governance checks a block will make, against the committed state, so
    /// that a transaction the next block would refuse is refused at submission with the reason.
    func checkSystemTransaction(_ tx: Transaction, sender: Address, account: Account) throws {
        let command = try TransactionRules.systemCommand(tx, sender: sender, roles: Roles(rawValue: account.roles),
                                                         accountPermissioning: rules.accountPermissioning)
        switch command {
        case .validatorVote(let vote)?:
            let head = store.head
            var context = ValidatorContext(height: head.height + 1, timestampMs: head.timestampMs,
                                           current: try store.validators(at: head.height + 1))
            // Membership first: nobody else makes the node decode the pending votes.
            guard context.current.contains(sender) else {
                throw TransactionRejection(.notPermitted,
                                           "sender not authorized to vote on validators: \(sender) is not a validator at height \(context.height)")
            }
            var record = try PendingValidatorVotes(decoding: store.stateValue(PendingValidatorVotes.stateKey) ?? [])
            try ValidatorGovernance.apply(vote, sender: sender, context: &context, record: &record)
        case .nodeKey(let nodeCommand)?:
            var record = try OnChainNodeKeys(decoding: store.stateValue(OnChainNodeKeys.stateKey) ?? [])
            try record.apply(nodeCommand)
        case .role?, nil:
            break
        }
    }
}

extension Node: GovernanceBackend {
    public func pendingValidatorProposals(at height: UInt64) throws -> [PendingProposalView] {
        try store.pendingValidatorVotes(at: height).proposals.map { proposal in
            PendingProposalView(change: proposal.change, votes: proposal.votes.map { (voter: $0.voter, height: $0.height, expiresAtMs: $0.expiresAtMs) })
        }
    }

    public func onChainNodeKeys(at height: UInt64) throws -> [[UInt8]] {
        guard let header = try store.block(at: height)?.header else { throw StoreError("no block \(height)") }
        return try OnChainNodeKeys(decoding: store.stateValue(OnChainNodeKeys.stateKey, stateRoot: header.stateRoot) ?? []).keys
    }
}
