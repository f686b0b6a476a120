import QuorateCore
import QuorateCrypto
import QuorateState
import QuorateTestSupport
import Testing

@Suite("validator-set votes and on-chain node keys")
struct ValidatorGovernanceTests {
    typealias F = StateFixture

    static let newcomer = F.key(0x21)
    static var newValidator: Validator {
        Validator(address: F.address(newcomer), nodeKey: F.key(0x31).publicKey.compressed)
    }

    static func voteTx(_ key: Secp256k1.PrivateKey, nonce: UInt64 = 0, _ command: ValidatorVoteCommand,
                       value: UInt256 = 0) throws -> Transaction {
        let payload = command.encoded()
        return try F.transfer(key, nonce: nonce, to: SystemAddress.validatorVotes, value: value,
                              gas: 21_000 + payload.reduce(UInt64(0)) { $0 + ($1 == 0 ? 4 : 16) }, data: payload)
    }

    static func rejections(_ out: BlockBuilder.Output) -> [String] { out.rejected.map { "\($0.1)" } }

    @Test("payloads: add is 62 bytes, remove 21, withdraw 33; they decode back and bad ones are refused")
    func payloads() throws {
        let add = ValidatorChange.add(Self.newValidator)
        #expect(add.encoded().count == 62 && add.encoded()[0] == 0x01)
        #expect(try ValidatorVoteCommand(decoding: add.encoded()) == .vote(add))
        let remove = ValidatorChange.remove(F.carolAddress)
        #expect(remove.encoded() == [0x02] + F.carolAddress.bytes)
        #expect(try ValidatorVoteCommand(decoding: remove.encoded()) == .vote(remove))
        let withdraw = ValidatorVoteCommand.withdraw(add.id)
        #expect(withdraw.encoded().count == 33)
        #expect(try ValidatorVoteCommand(decoding: withdraw.encoded()) == withdraw)
        expectError(containing: "add: expected 62 bytes") { _ = try ValidatorVoteCommand(decoding: Array(add.encoded().dropLast())) }
        expectError(containing: "unknown operation 0x9") { _ = try ValidatorVoteCommand(decoding: [9] + F.carolAddress.bytes) }
        expectError(containing: "empty payload") { _ = try ValidatorVoteCommand(decoding: []) }
        var badKey = add.encoded()
        badKey[21] = 0x05
        expectError(containing: "not a 33-byte compressed") { _ = try ValidatorVoteCommand(decoding: badKey) }
        var zeroPower = add.encoded()
        for i in 54..<62 { zeroPower[i] = 0 }
        expectError(containing: "power must be at least 1") { _ = try ValidatorVoteCommand(decoding: zeroPower) }
        let system = ValidatorChange.add(Validator(address: SystemAddress.permissions, nodeKey: Self.newValidator.nodeKey))
        expectError(containing: "zero address or a system address") { _ = try ValidatorVoteCommand(decoding: system.encoded()) }
        #expect(SystemAddress.nodes.hex == "0x0000000000000000000000000000000051000003")
    }

    @Test("an add passes with 3 of 4 votes, not 2; the header's next-validators hash names the new set and another node agrees")
    func addPassesOnMajority() throws {
        var node = try TestNode(F.genesis())
        var follower = try TestNode(F.genesis())
        let change = ValidatorChange.add(Self.newValidator)
        let first = try node.build([try Self.voteTx(F.validatorKeys[0], .vote(change)),
                                    try Self.voteTx(F.validatorKeys[1], .vote(change))])
        #expect(first.rejected.isEmpty)
        #expect(first.executed.block.transactions.count == 2)
        #expect(first.executed.nextValidators == nil)
        #expect(first.executed.block.header.nextValidatorsHash == F.validators.hash)
        #expect(try follower.validate(first.executed.block).nextValidators == nil)
        try node.commit(first.executed)
        try follower.commit(first.executed)

        let second = try node.build([try Self.voteTx(F.validatorKeys[2], .vote(change))])
        let expected = try F.validators.applying(change)
        #expect(expected.count == 5)
        #expect(second.executed.passedChanges == [change])
        #expect(second.executed.nextValidators == expected)
        #expect(second.executed.block.header.validatorsHash == F.validators.hash)
        #expect(second.executed.block.header.nextValidatorsHash == expected.hash)
        let validated = try follower.validate(second.executed.block)
        #expect(validated.nextValidators == expected)
        try node.commit(second.executed)
        // Block 3 is signed by the new set: its validators hash is the new set's.
        let third = try node.build([try F.transfer(F.alice, nonce: 0, to: F.carolAddress, value: 1)])
        #expect(third.executed.block.header.validatorsHash == expected.hash)
        #expect(third.executed.block.header.nextValidatorsHash == expected.hash)
    }

    @Test("a vote from an address that is not a validator is refused, in building and in validation")
    func nonValidatorRefused() throws {
        let node = try TestNode(F.genesis())
        let out = try node.build([try Self.voteTx(F.alice, .vote(.add(Self.newValidator)))])
        #expect(out.executed.block.transactions.isEmpty)
        #expect(Self.rejections(out).first?.contains("not authorized to vote on validators") == true)
        // A faulty proposer's block with that vote is invalid for everyone else.
        let honest = try node.build([try Self.voteTx(F.validatorKeys[0], .vote(.add(Self.newValidator)))])
        var forged = honest.executed.block
        forged.transactions = [try Self.voteTx(F.alice, .vote(.add(Self.newValidator)))]
        forged.header.transactionsRoot = Block.transactionsRoot(forged.transactions)
        expectError(containing: "not authorized to vote on validators") { _ = try node.validate(forged) }
    }

    @Test("a second vote by the same validator is refused; a withdrawal removes the vote; withdrawing nothing is refused")
    func doubleVoteAndWithdraw() throws {
        var node = try TestNode(F.genesis())
        let change = ValidatorChange.remove(F.address(F.validatorKeys[3]))
        let voted = try node.build([try Self.voteTx(F.validatorKeys[0], .vote(change)),
                                    try Self.voteTx(F.validatorKeys[0], nonce: 1, .vote(change))])
        #expect(voted.executed.block.transactions.count == 1)
        #expect(Self.rejections(voted).first?.contains("already voted") == true)
        try node.commit(voted.executed)
        let withdrawn = try node.build([try Self.voteTx(F.validatorKeys[0], nonce: 1, .withdraw(change.id)),
                                        try Self.voteTx(F.validatorKeys[1], .withdraw(change.id))])
        #expect(withdrawn.executed.block.transactions.count == 1)
        #expect(Self.rejections(withdrawn).first?.contains("has no pending vote") == true)
        try node.commit(withdrawn.executed)
        // With the first vote withdrawn, two more votes are 2 of 4: not enough.
        let after = try node.build([try Self.voteTx(F.validatorKeys[1], .vote(change)),
                                    try Self.voteTx(F.validatorKeys[2], .vote(change))])
        #expect(after.executed.nextValidators == nil)
    }

    @Test("changes that would duplicate a validator or its node key, or leave no validator, are refused")
    func impossibleChanges() throws {
        let node = try TestNode(F.genesis())
        let existing = F.validators.validators[0]
        let duplicate = ValidatorChange.add(Validator(address: existing.address, nodeKey: F.key(0x32).publicKey.compressed))
        let sameKey = ValidatorChange.add(Validator(address: F.address(Self.newcomer), nodeKey: existing.nodeKey))
        let stranger = ValidatorChange.remove(F.carolAddress)
        let out = try node.build([try Self.voteTx(F.validatorKeys[0], .vote(duplicate)),
                                  try Self.voteTx(F.validatorKeys[1], .vote(sameKey)),
                                  try Self.voteTx(F.validatorKeys[2], .vote(stranger))])
        #expect(out.executed.block.transactions.isEmpty)
        let reasons = Self.rejections(out).joined(separator: "\n")
        #expect(reasons.contains("is already a validator"))
        #expect(reasons.contains("already belongs to a validator"))
        #expect(reasons.contains("is not a validator"))

        let solo = try ValidatorSet([F.validators.validators[0]])
        var context = ValidatorContext(height: 1, timestampMs: 1_000, current: solo)
        var record = PendingValidatorVotes()
        expectError(containing: "would leave no validator") {
            try ValidatorGovernance.apply(.vote(.remove(existing.address)), sender: existing.address,
                                          context: &context, record: &record)
        }
    }

    @Test("votes expire voteLifetimeMs after their block's timestamp, and votes of validators that left stop counting")
    func expiryAndLeavers() throws {
        let voters = F.validators.validators.map(\.address)
        let change = ValidatorChange.add(Self.newValidator)
        let castMs: UInt64 = 5_000_000
        func context(_ height: UInt64, _ ms: UInt64) -> ValidatorContext {
            ValidatorContext(height: height, timestampMs: ms, current: F.validators)
        }
        var record = PendingValidatorVotes()
        var early = context(10, castMs)
        try ValidatorGovernance.apply(.vote(change), sender: voters[0], context: &early, record: &record)
        try ValidatorGovernance.apply(.vote(change), sender: voters[1], context: &early, record: &record)
        #expect(record.proposals.count == 1 && record.proposals[0].votes.count == 2)
        #expect(record.proposals[0].votes[0].expiresAtMs == castMs + ValidatorGovernance.voteLifetimeMs)
        // Still live 1 ms before expiry, however many blocks later; a third vote then passes.
        var beforeExpiry = context(5_000_000, castMs + ValidatorGovernance.voteLifetimeMs - 1)
        var copy = record
        try ValidatorGovernance.apply(.vote(change), sender: voters[2], context: &beforeExpiry, record: &copy)
        #expect(beforeExpiry.passed == [change])
        // At expiry the two early votes are gone, even one block later: a third vote is 1 of 4.
        var atExpiry = context(11, castMs + ValidatorGovernance.voteLifetimeMs)
        copy = record
        try ValidatorGovernance.apply(.vote(change), sender: voters[2], context: &atExpiry, record: &copy)
        #expect(atExpiry.passed.isEmpty)
        #expect(copy.proposals[0].votes.map(\.voter) == [voters[2]])
        // A set without voters[0]: its vote no longer counts.
        let smaller = try F.validators.applying(.remove(voters[0]))
        let live = record.live(atMs: castMs + 1, validators: smaller)
        #expect(live.proposals[0].votes.map(\.voter) == [voters[1]])
    }

    @Test("when the set shrinks, a repeat vote passes a proposal whose votes now suffice; otherwise it is refused")
    func repeatVotePassesAfterTheSetShrank() throws {
        let voters = F.validators.validators.map(\.address)
        let change = ValidatorChange.add(Self.newValidator)
        var record = PendingValidatorVotes()
        var four = ValidatorContext(height: 1, timestampMs: 1_000, current: F.validators)
        try ValidatorGovernance.apply(.vote(change), sender: voters[0], context: &four, record: &record)
        try ValidatorGovernance.apply(.vote(change), sender: voters[1], context: &four, record: &record)
        expectError(containing: "already voted") {
            var again = four
            var copy = record
            try ValidatorGovernance.apply(.vote(change), sender: voters[0], context: &again, record: &copy)
        }
        // voters[3] left: 2 of 3 is more than half, and a repeat vote applies the change.
        var three = ValidatorContext(height: 5, timestampMs: 5_000, current: try F.validators.applying(.remove(voters[3])))
        try ValidatorGovernance.apply(.vote(change), sender: voters[0], context: &three, record: &record)
        #expect(three.passed == [change])
        #expect(three.next.contains(Self.newValidator.address))
        #expect(record.proposals.isEmpty)
    }

    @Test("two changes passing in one block apply in order; a proposer's header that drops or invents a change is invalid")
    func twoChangesInOneBlockAndForgedHeaders() throws {
        var node = try TestNode(F.genesis())
        let add = ValidatorChange.add(Self.newValidator)
        let remove = ValidatorChange.remove(F.address(F.validatorKeys[3]))
        let first = try node.build([try Self.voteTx(F.validatorKeys[0], .vote(add)), try Self.voteTx(F.validatorKeys[1], .vote(add)),
                                    try Self.voteTx(F.validatorKeys[0], nonce: 1, .vote(remove)),
                                    try Self.voteTx(F.validatorKeys[1], nonce: 1, .vote(remove))])
        try node.commit(first.executed)
        let both = try node.build([try Self.voteTx(F.validatorKeys[2], .vote(add)), try Self.voteTx(F.validatorKeys[2], nonce: 1, .vote(remove))])
        #expect(both.executed.passedChanges == [add, remove])
        let expected = try F.validators.applying(add).applying(remove)
        #expect(both.executed.nextValidators == expected)
        #expect(try node.validate(both.executed.block).nextValidators == expected)

        var dropped = both.executed.block
        dropped.header.nextValidatorsHash = try F.validators.applying(add).hash
        expectError(containing: "next validators hash does not match") { _ = try node.validate(dropped) }
        let quiet = try node.build([try F.transfer(F.alice, nonce: 0, to: F.carolAddress, value: 1)])
        var invented = quiet.executed.block
        invented.header.nextValidatorsHash = expected.hash
        expectError(containing: "next validators hash does not match") { _ = try node.validate(invented) }
    }

    @Test("at most maxPendingProposals proposals are pending; the record round-trips through its encoding")
    func proposalLimit() throws {
        var record = PendingValidatorVotes()
        var context = ValidatorContext(height: 1, timestampMs: 1_000, current: F.validators)
        let voter = F.validators.validators[0].address
        for i in 0..<ValidatorGovernance.maxPendingProposals {
            let key = F.key(UInt8(0x40 + i))
            try ValidatorGovernance.apply(.vote(.add(Validator(address: F.address(key), nodeKey: key.publicKey.compressed))),
                                          sender: voter, context: &context, record: &record)
        }
        let key = F.key(0xF0)
        expectError(containing: "proposals are pending, the limit") {
            try ValidatorGovernance.apply(.vote(.add(Validator(address: F.address(key), nodeKey: key.publicKey.compressed))),
                                          sender: voter, context: &context, record: &record)
        }
        #expect(try PendingValidatorVotes(decoding: record.encoded()) == record)
        #expect(record.proposals.map(\.id) == record.proposals.map(\.id).sorted())
    }

    @Test("with account permissioning, an admin adds and removes node keys; a non-admin is refused; without it 0x…0003 is a plain address")
    func nodeKeys() throws {
        var genesis = PermissioningTests.genesis()
        var node = try TestNode(genesis)
        let key = F.key(0x33).publicKey.compressed
        func nodeTx(_ signer: Secp256k1.PrivateKey, nonce: UInt64, _ command: NodeKeyCommand) throws -> Transaction {
            try F.transfer(signer, nonce: nonce, to: SystemAddress.nodes, value: 0, gas: 22_000, data: command.encoded())
        }
        let added = try node.build([try nodeTx(F.alice, nonce: 0, NodeKeyCommand(.add, key)),
                                    try nodeTx(F.bob, nonce: 0, NodeKeyCommand(.add, F.key(0x34).publicKey.compressed))])
        #expect(added.executed.block.transactions.count == 1)
        #expect(Self.rejections(added).first?.contains("lacks the admin role") == true)
        try node.commit(added.executed)
        let record = try CommittedAccounts(root: node.head.stateRoot, nodes: node.store).stateValue(OnChainNodeKeys.stateKey)
        #expect(try OnChainNodeKeys(decoding: record ?? []).keys == [key])
        let removed = try node.build([try nodeTx(F.alice, nonce: 1, NodeKeyCommand(.remove, key))])
        try node.commit(removed.executed)
        #expect(try CommittedAccounts(root: node.head.stateRoot, nodes: node.store).stateValue(OnChainNodeKeys.stateKey) == nil)

        genesis.permissioning = PermissioningParams()
        let plain = try TestNode(genesis)
        let transfer = try plain.build([try F.transfer(F.alice, nonce: 0, to: SystemAddress.nodes, value: 5)])
        #expect(transfer.executed.block.transactions.count == 1)
        #expect(transfer.executed.changedAccounts.contains { $0.0 == SystemAddress.nodes && $0.1.balance == 5 })
    }
}
