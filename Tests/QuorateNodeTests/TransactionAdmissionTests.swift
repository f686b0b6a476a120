import Foundation
import QuorateCore
import QuorateCrypto
@testable import QuorateNode
import QuorateRPC
import QuorateState
import QuorateStorage
import Testing

@Suite("transaction admission")
struct TransactionAdmissionTests {
    typealias D = ConsensusDriverTests
    static let user = Address(D.userKey.publicKey.ethereumAddress)
    static let sink = Address([UInt8](repeating: 0xde, count: 20))

    /// A node (not started: only admission runs) on a fresh store of `D.genesis()`.
    static func withNode(_ body: (Node) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quorate-admission-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = NodeConfig(dataDir: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try ChainStore.initialize(path: config.storePath, genesis: try D.genesis())
        try body(try Node(config: config))
    }

    static func raw(chainId: UInt64? = D.chainId, nonce: UInt64 = 0, gas: UInt64 = 21_000, value: UInt256 = UInt256(1),
                    key: Secp256k1.PrivateKey = D.userKey) throws -> [UInt8] {
        try UnsignedTransaction(chainId: chainId, nonce: nonce, gasLimit: gas, to: sink, value: value).signed(with: key).raw
    }

    static func refusal(_ node: Node, _ raw: [UInt8]) -> AdmissionError? {
        do { _ = try node.admission.admit(raw: raw) } catch { return error }
        return nil
    }

    @Test("a transfer is pooled with its recovered sender; sent again it is already known")
    func admitsOnce() throws {
        try Self.withNode { node in
            let raw = try Self.raw()
            let tx = try node.admission.admit(raw: raw)
            #expect(node.mempool.sender(of: tx.hash) == Self.user)
            #expect(Self.refusal(node, raw) == .alreadyKnown)
        }
    }

    @Test("a prefetched duplicate is refused as already known and leaves no cache entry behind")
    func duplicateBeforeDecoding() throws {
        try Self.withNode { node in
            let raw = try Self.raw()
            _ = try node.admission.admit(raw: raw)
            // A later gossiped batch prefetched the same bytes.
            let decoded = try Transaction.decode(raw: raw)
            node.senderCache.insert([(decoded, Self.user)])
            #expect(Self.refusal(node, raw) == .alreadyKnown)
            #expect(node.senderCache.take(raw) == nil, "the prefetched entry is consumed, not left behind")
        }
    }

    @Test("the stateless rules, the signature and the pool each refuse with their own case")
    func refusalCases() throws {
        try Self.withNode { node in
            let limit = node.rules.fees.blockGasLimit
            let otherChain = try Self.raw(chainId: D.chainId + 1), lowGas = try Self.raw(gas: 20_999)
            let highGas = try Self.raw(gas: limit + 1), tooMuch = try Self.raw(value: UInt256(2_000_000))
            let farNonce = try Self.raw(nonce: 1_000_000)
            #expect(Self.refusal(node, [0xde, 0xad])?.reason == "invalid_transaction")
            #expect(Self.refusal(node, otherChain) == .wrongChainId("invalid chain id for signer: have \(D.chainId + 1) want \(D.chainId)"))
            #expect(Self.refusal(node, lowGas) == .intrinsicGasTooLow("intrinsic gas too low: gas 20999, minimum needed 21000"))
            #expect(Self.refusal(node, highGas) == .exceedsBlockGasLimit("exceeds block gas limit: gas \(limit + 1), block limit \(limit)"))
            #expect(Self.refusal(node, tooMuch)?.reason == "insufficient_funds")
            #expect(Self.refusal(node, farNonce) == .nonceTooHigh(nonce: 1_000_000, accountNonce: 0, window: node.mempool.limits.maxPerSender))
            let oversized = [UInt8](repeating: 0, count: Transaction.maxEncodedBytes + 1)
            #expect(Self.refusal(node, oversized)?.reason == "oversized_data")
            #expect(node.mempool.count == 0)
        }
    }

    @Test("gossip goes through the same admission: only the admitted are relayed, and RPC then finds them known")
    func gossipSharesThePath() throws {
        try Self.withNode { node in
            let good = try Self.raw(), next = try Self.raw(nonce: 1), bad = try Self.raw(gas: 20_999)
            #expect(node.admitGossiped([good, bad, good, next]) == [good, next])
            #expect(throws: AdmissionError.alreadyKnown) { _ = try node.submitRawTransaction(next) }
            #expect(node.mempool.count == 2)
        }
    }

    @Test("a committed transaction gossiped late is refused by its nonce, and a client sending it again hears it is known")
    func committedGossipRefused() throws {
        try Self.withNode { node in
            let raw = try Self.raw()
            let tx = try Transaction.decode(raw: raw)
            let output = try BlockBuilder.build(parent: try node.store.parentState(for: node.store.head),
                                                candidates: [BlockBuilder.Candidate(transaction: tx, sender: Self.user)],
                                                proposer: Address(D.validatorKey.publicKey.ethereumAddress), timestampMs: 1_000,
                                                lastCommit: nil, rules: ChainRules(genesis: node.store.genesis))
            let block = output.executed.block
            let vote = try Vote.sign(chainId: D.chainId, type: .precommit, height: 1, round: 0, blockHash: block.hash, key: D.validatorKey)
            try node.store.commit(output.executed, certificate: CommitCertificate(precommits: [vote]))
            #expect(node.admitGossiped([raw]).isEmpty)
            #expect(node.mempool.count == 0)
            #expect(throws: AdmissionError.alreadyKnown) { _ = try node.submitRawTransaction(raw) }
        }
    }
}
