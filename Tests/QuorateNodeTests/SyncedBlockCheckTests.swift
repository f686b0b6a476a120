import Foundation
import QuorateCore
import QuorateCrypto
@testable import QuorateNode
import QuorateState
import QuorateStorage
import Testing

@Suite("the check of a synced block")
struct SyncedBlockCheckTests {
    typealias D = ConsensusDriverTests
    static let outsider = try! Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [0x77])

    /// Block 1 built on a fresh store of `genesis` (`D.genesis()` by default), and the store.
    static func withBlock(genesis: Genesis? = nil, _ body: (ChainStore, ChainRules, Block) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quorate-synccheck-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/chain"
        try ChainStore.initialize(path: path, genesis: try genesis ?? D.genesis())
        let store = try ChainStore(path: path)
        let rules = ChainRules(genesis: store.genesis)
        let output = try BlockBuilder.build(parent: try store.parentState(for: store.head), candidates: [],
                                            proposer: Address(D.validatorKey.publicKey.ethereumAddress),
                                            timestampMs: 1_000, lastCommit: nil, rules: rules)
        try body(store, rules, output.executed.block)
    }

    static func certificate(_ block: Block, signedBy key: Secp256k1.PrivateKey) throws -> CommitCertificate {
        CommitCertificate(precommits: [try Vote.sign(chainId: D.chainId, type: .precommit, height: block.height, round: 0,
                                                     blockHash: block.hash, key: key)])
    }

    @Test("a block certified by the validators is applied; one 'certified' by an outsider is refused")
    func certificateChecked() throws {
        try Self.withBlock { store, rules, block in
            let check = SyncedBlockCheck()
            let good = try check.verify(block, certificate: try Self.certificate(block, signedBy: D.validatorKey),
                                        store: store, rules: rules) { try $0.recoverSender() }
            #expect(good.block == block)
            #expect(throws: BlockValidationError.self) {
                try check.verify(block, certificate: try Self.certificate(block, signedBy: Self.outsider),
                                 store: store, rules: rules) { try $0.recoverSender() }
            }
        }
    }

    @Test("the test-only switch (planted bug d) applies a block whose certificate does not verify, still executing it")
    func skipSwitch() throws {
        try Self.withBlock { store, rules, block in
            let planted = SyncedBlockCheck(skipCertificateCheckForTesting: true)
            let forged = try Self.certificate(block, signedBy: Self.outsider)
            #expect(try planted.verify(block, certificate: forged, store: store, rules: rules) { try $0.recoverSender() }.block == block)
            var wrongRoot = block
            wrongRoot.header.stateRoot = .keccak([9])
            #expect(throws: BlockValidationError.self) {
                try planted.verify(wrongRoot, certificate: forged, store: store, rules: rules) { try $0.recoverSender() }
            }
        }
    }

    @Test("sender hints from block sync are checked by the header's roots: the recorded sender applies, another is refused")
    func senderHints() throws {
        let user = Address(D.userKey.publicKey.ethereumAddress), funded = Address([UInt8](repeating: 0x66, count: 20))
        let base = try D.genesis()
        let genesis = Genesis(chainId: base.chainId, timestampMs: 0, validators: base.validators,
                              alloc: base.alloc + [(funded, UInt256(1_000_000))], consensus: base.consensus)
        try Self.withBlock(genesis: genesis) { store, rules, _ in
            let tx = try Transaction.decode(raw: try D.transfer(nonce: 0))
            let output = try BlockBuilder.build(parent: try store.parentState(for: store.head),
                                                candidates: [BlockBuilder.Candidate(transaction: tx, sender: user)],
                                                proposer: Address(D.validatorKey.publicKey.ethereumAddress),
                                                timestampMs: 1_000, lastCommit: nil, rules: rules)
            let block = output.executed.block
            #expect(block.transactions.count == 1)
            let certificate = try Self.certificate(block, signedBy: D.validatorKey)
            let check = SyncedBlockCheck()
            // The hint is used as is: no signature is recovered when it is right.
            #expect(try check.verify(block, certificate: certificate, store: store, rules: rules) { _ in user }.block == block)
            // A wrong sender: unfunded, the transfer cannot execute; funded, the root differs.
            #expect(throws: BlockValidationError.self) {
                try check.verify(block, certificate: certificate, store: store, rules: rules) { _ in funded }
            }
            for wrong in [Address([UInt8](repeating: 0x55, count: 20))] {
                #expect(throws: (any Error).self) {
                    try check.verify(block, certificate: certificate, store: store, rules: rules) { _ in wrong }
                }
            }
        }
    }

    @Test("two senders' hints swapped (the same amounts from the same accounts) are refused by the receipts root, which records each sender")
    func swappedSenderHints() throws {
        let user = Address(D.userKey.publicKey.ethereumAddress), other = Address(D.validatorKey.publicKey.ethereumAddress)
        let base = try D.genesis()
        let genesis = Genesis(chainId: base.chainId, timestampMs: 0, validators: base.validators,
                              alloc: base.alloc + [(other, UInt256(1_000_000))], consensus: base.consensus)
        try Self.withBlock(genesis: genesis) { store, rules, _ in
            // The same nonce, value and recipient from both: swapping who sent which moves the
            // same amounts from the same accounts.
            let fromUser = try Transaction.decode(raw: try D.transfer(nonce: 0))
            let fromOther = try UnsignedTransaction(chainId: D.chainId, nonce: 0, gasLimit: 21_000,
                                                    to: Address([UInt8](repeating: 0xde, count: 20)), value: 1).signed(with: D.validatorKey)
            let output = try BlockBuilder.build(parent: try store.parentState(for: store.head),
                                                candidates: [BlockBuilder.Candidate(transaction: fromUser, sender: user),
                                                             BlockBuilder.Candidate(transaction: fromOther, sender: other)],
                                                proposer: other, timestampMs: 1_000, lastCommit: nil, rules: rules)
            let block = output.executed.block
            #expect(block.transactions.count == 2)
            let certificate = try Self.certificate(block, signedBy: D.validatorKey)
            let swapped = [fromUser.hash: other, fromOther.hash: user]
            #expect(try SyncedBlockCheck().verify(block, certificate: certificate, store: store, rules: rules) { $0.hash == fromUser.hash ? user : other }.block == block)
            do {
                _ = try SyncedBlockCheck().verify(block, certificate: certificate, store: store, rules: rules) { swapped[$0.hash]! }
                Issue.record("a block executed with swapped senders was applied")
            } catch let error as BlockValidationError {
                #expect(error.description.contains("receipts root does not match"), "\(error)")
            }
        }
    }
}
