import Foundation
import QuorateCore
import QuorateCrypto
@testable import QuorateNode
import QuorateStorage
import Testing

@Suite("sender prefetch")
struct PrefetchTests {
    typealias D = ConsensusDriverTests

    @Test("senders recovered ahead for a batch are the ones submit uses, and bad entries are still refused")
    func prefetchThenSubmit() throws {
        let dir = try NodeDirectory("prefetch", genesis: try D.genesis())
        defer { dir.remove() }
        let node = try Node(config: dir.config)  // not started: only the submission path is exercised
        let raws = try (0..<200).map { try D.transfer(nonce: UInt64($0)) }
        var tampered = raws[7]
        tampered[tampered.count - 5] ^= 0x01  // signature bytes: recovers to another key or none
        node.prefetchSenders(raws + [tampered, [0xde, 0xad]])
        let sender = Address(D.userKey.publicKey.ethereumAddress)
        for raw in raws {
            let hash = try node.submit(raw: raw)
            #expect(node.mempool.sender(of: hash) == sender)
        }
        #expect(node.senderCache.take(raws[0]) == nil, "each entry is taken once")
        #expect(throws: (any Error).self) { _ = try node.submit(raw: [0xde, 0xad]) }
        // The tampered copy never becomes a transaction of `sender` with nonce 7: it is refused
        // (as a replacement without a fee bump, or for its signature or funds).
        let tamperedHash = (try? Transaction.decode(raw: tampered))?.hash
        _ = try? node.submit(raw: tampered)
        if let tamperedHash { #expect(node.mempool.sender(of: tamperedHash) != sender) }
        #expect(node.mempool.count == 200)
    }

    @Test("the sender cache is bounded: it empties rather than grow past its capacity")
    func boundedCache() throws {
        let cache = SenderCache(capacity: 3)
        let a = Address([UInt8](repeating: 1, count: 20))
        let txs = try (0..<4).map { try Transaction.decode(raw: try D.transfer(nonce: UInt64($0))) }
        cache.insert(txs.prefix(3).map { ($0, a) })
        #expect(cache.take(txs[0].raw)?.0 == txs[0])
        cache.insert([(txs[0], a)])
        cache.insert([(txs[3], a)])  // 4 > 3: emptied first
        #expect(cache.take(txs[1].raw) == nil)
        #expect(cache.take(txs[3].raw)?.1 == a)
    }
}
