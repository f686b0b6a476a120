import QuorateCore
import QuorateState

extension Node {
    /// The permission and governance checks a block will make, against the committed state, so
    /// that a transaction the next block would refuse is refused at submission with the reason.
    func checkSystemTransaction(_ tx: Transaction, sender: Address, account: Account) throws {
        let command = try TransactionRules.systemCommand(tx, sender: sender, roles: Roles(rawValue: account.roles),
                                                         accountPermissioning: rules.accountPermissioning)
        guard case .validatorVote(let vote)? = command else { return }
        let next = store.head.height + 1
        var context = ValidatorContext(height: next, current: try store.validators(at: next))
        var record = try PendingValidatorVotes(decoding: store.stateValue(PendingValidatorVotes.stateKey) ?? [])
        try ValidatorGovernance.apply(vote, sender: sender, context: &context, record: &record)
    }
}
