import Foundation
import QuorateCore
import QuorateCrypto
import QuorateState
@testable import QuorateStorage
import QuorateTestSupport
import Testing

@Suite("chain store: validator sets per height")
struct ValidatorHistoryTests {
    typealias F = ChainFixture

    /// Commits one block whose transactions are `votes` (each from its validator key, nonce 0 or
    /// as given), signed by `signers`; returns the executed block.
    @discardableResult
    static func commitVotes(_ votes: [(Secp256k1.PrivateKey, UInt64, ValidatorVoteCommand)], signers: [Secp256k1.PrivateKey],
                            to store: ChainStore) throws -> ExecutedBlock {
        let rules = ChainRules(genesis: store.genesis)
        let parent = try store.parentState(for: store.head)
        let candidates = try votes.map { key, nonce, command in
            let data = command.encoded()
            let tx = try UnsignedTransaction(chainId: F.chainId, nonce: nonce, gasLimit: 22_000, to: SystemAddress.validatorVotes,
                                             value: .zero, data: data).signed(with: key)
            return BlockBuilder.Candidate(transaction: tx, sender: F.address(key))
        }
        let h = store.head.height + 1
        let built = try BlockBuilder.build(parent: parent, candidates: candidates,
                                           proposer: parent.nextValidators.proposer(height: h, round: 0),
                                           timestampMs: store.head.timestampMs + 1_000,
                                           lastCommit: try store.certificate(at: store.head.height), rules: rules)
        #expect(built.rejected.isEmpty, "\(built.rejected)")
        let certificate = CommitCertificate(precommits: try signers.map {
            try Vote.sign(chainId: F.chainId, type: .precommit, height: h, round: 0, blockHash: built.executed.block.hash, key: $0)
        })
        try store.commit(built.executed, certificate: certificate)
        return built.executed
    }

    @Test("a decided change is answered before its block is written, and the write adds nothing twice")
    func decidedChangeBeforeItsWrite() throws {
        try withTemporaryDirectory { path in
            let store = try ChainStore.initialize(path: path, genesis: F.genesis())
            let newcomer = F.key(0x21)
            let change = ValidatorChange.add(Validator(address: F.address(newcomer), nodeKey: F.key(0x31).publicKey.compressed))
            let five = try F.validators.applying(change)
            let original = Array(F.validatorKeys.prefix(3))
            try Self.commitVotes([(F.validatorKeys[0], 0, .vote(change))], signers: original, to: store)
            // Overlapping heights: consensus decided block 2 (which passes the change); its write is under way.
            store.learnDecidedValidators(five, from: 3)
            #expect(try store.validators(at: 3) == five)
            #expect(try store.validators(at: 2) == F.validators)
            let passing = try Self.commitVotes([(F.validatorKeys[1], 0, .vote(change)), (F.validatorKeys[2], 0, .vote(change))],
                                               signers: original, to: store)
            #expect(passing.nextValidators == five)
            #expect(store.validatorSetChanges.map(\.from) == [3], "the write learned the change a second time")
        }
    }

    @Test("a change voted in block 2 is the set from height 3 on, before and after a reopen; earlier heights keep theirs")
    func setsPerHeight() throws {
        try withTemporaryDirectory { path in
            let newcomer = F.key(0x21)
            let change = ValidatorChange.add(Validator(address: F.address(newcomer), nodeKey: F.key(0x31).publicKey.compressed))
            let five = try F.validators.applying(change)
            do {
                let store = try ChainStore.initialize(path: path, genesis: F.genesis())
                let original = Array(F.validatorKeys.prefix(3))
                try Self.commitVotes([(F.validatorKeys[0], 0, .vote(change))], signers: original, to: store)
                let passing = try Self.commitVotes([(F.validatorKeys[1], 0, .vote(change)), (F.validatorKeys[2], 0, .vote(change))],
                                                   signers: original, to: store)
                #expect(passing.nextValidators == five)
                #expect(try store.validators(at: 2) == F.validators)
                #expect(try store.validators(at: 3) == five)
                #expect(store.validatorSetChanges.map(\.from) == [3])
                // Block 3 needs 4 of the 5 to commit: the newcomer's precommit among them.
                try Self.commitVotes([], signers: original + [newcomer], to: store)
                #expect(store.head.validatorsHash == five.hash)
            }
            let reopened = try ChainStore(path: path)
            #expect(try reopened.validators(at: 0) == F.validators)
            #expect(try reopened.validators(at: 2) == F.validators)
            #expect(try reopened.validators(at: 3) == five)
            #expect(try reopened.validators(at: 4) == five)
            #expect(try reopened.pendingValidatorVotes(at: 3).proposals.isEmpty)
        }
    }

    @Test("pending votes are read at a height as they stood then")
    func pendingAtHeight() throws {
        try withTemporaryDirectory { path in
            let store = try ChainStore.initialize(path: path, genesis: F.genesis())
            let change = ValidatorChange.remove(F.address(F.validatorKeys[3]))
            try Self.commitVotes([(F.validatorKeys[0], 0, .vote(change))], signers: Array(F.validatorKeys.prefix(3)), to: store)
            try Self.commitVotes([(F.validatorKeys[0], 1, .withdraw(change.id))], signers: Array(F.validatorKeys.prefix(3)), to: store)
            let at1 = try store.pendingValidatorVotes(at: 1)
            #expect(at1.proposals.map(\.change) == [change])
            #expect(at1.proposals[0].votes.map(\.voter) == [F.address(F.validatorKeys[0])])
            #expect(try store.pendingValidatorVotes(at: 2).proposals.isEmpty)
        }
    }
}
