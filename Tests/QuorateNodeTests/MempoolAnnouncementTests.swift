import QuorateCore
import QuorateP2P
@testable import QuorateNode
import Testing

/// What a node announces to a peer that (re)connects: its pool by hash, oldest first, bounded.
@Suite("mempool announcement")
struct MempoolAnnouncementTests {
    typealias M = MempoolTests

    @Test("pooled hashes come oldest arrival first, each sender's in the order they came, cut at the limit")
    func arrivalOrder() throws {
        let pool = Mempool(limits: M.limits())
        let sent = [M.tx(M.alice, 0), M.tx(M.bob, 0), M.tx(M.alice, 1), M.tx(M.carol, 0), M.tx(M.bob, 1)]
        let keys = [M.alice, M.bob, M.alice, M.carol, M.bob]
        for (tx, key) in zip(sent, keys) { try M.add(pool, tx, key) }
        #expect(pool.hashesByArrival(limit: 10) == sent.map(\.hash))
        #expect(pool.hashesByArrival(limit: 2) == sent.prefix(2).map(\.hash))
        #expect(pool.hashesByArrival(limit: 0).isEmpty)
    }

    @Test("committed transactions are no longer announced")
    func committedLeave() throws {
        let pool = Mempool(limits: M.limits())
        let first = M.tx(M.alice, 0), second = M.tx(M.alice, 1)
        try M.add(pool, first, M.alice)
        try M.add(pool, second, M.alice)
        pool.removeCommitted([first], senders: [M.address(M.alice)], nonceOf: { _ in 1 })
        #expect(pool.hashesByArrival(limit: 10) == [second.hash])
    }

    @Test("the announcement bound is PeerNetworking.maxPoolAnnouncement = 4096, within one wire message")
    func bound() {
        #expect(PeerNetworking.maxPoolAnnouncement == 4_096)
        #expect(PeerNetworking.maxPoolAnnouncement <= NetworkLimits.default.maxHashesPerMessage)
    }
}
