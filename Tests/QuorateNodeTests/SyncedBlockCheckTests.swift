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

    /// Block 1 built on a fresh store of `D.genesis()`, and the store.
    static func withBlock(_ body: (ChainStore, ChainRules, Block) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quorate-synccheck-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/chain"
        try ChainStore.initialize(path: path, genesis: try D.genesis())
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
}
