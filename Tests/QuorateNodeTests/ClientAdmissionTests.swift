import Foundation
import QuorateCore
@testable import QuorateNode
import QuorateRPC
import QuorateStorage
import Testing

@Suite("clients pushed back under load (--txpool-client-max-transactions)")
struct ClientAdmissionTests {
    typealias A = TransactionAdmissionTests

    static func withNode(clientMax: Int, _ body: (Node) throws -> Void) throws {
        var dir = try NodeDirectory("client-admission", genesis: try ConsensusDriverTests.genesis())
        defer { dir.remove() }
        dir.config.mempoolLimits.clientAdmissionMax = clientMax
        dir.config.validatorKey = ConsensusDriverTests.validatorKey
        try body(try Node(config: dir.config))
    }

    @Test("past the client bound a client hears txpool is full before anything else is done with its bytes")
    func clientsRefusedAtTheBound() throws {
        try Self.withNode(clientMax: 2) { node in
            let first = try A.raw(nonce: 0)
            _ = try node.submitRawTransaction(first)
            _ = try node.submitRawTransaction(try A.raw(nonce: 1))
            #expect(throws: AdmissionError.poolFull) { _ = try node.submitRawTransaction(try A.raw(nonce: 2)) }
            #expect(throws: AdmissionError.poolFull) { _ = try node.submitRawTransaction([0xc0, 0x01, 0x02]) }
            #expect(throws: AdmissionError.poolFull) { _ = try node.submitRawTransaction(first) }
            #expect(AdmissionError.poolFull.description == "txpool is full")
            #expect(node.mempool.count == 2)
        }
    }

    @Test("a peer's transactions still fill the pool past the client bound, and a client is taken again once blocks make room")
    func peersStillAdmitted() throws {
        try Self.withNode(clientMax: 2) { node in
            _ = try node.submitRawTransaction(try A.raw(nonce: 0))
            _ = try node.submitRawTransaction(try A.raw(nonce: 1))
            let gossiped = [try A.raw(nonce: 2), try A.raw(nonce: 3)]
            #expect(node.admitGossiped(gossiped) == gossiped)
            #expect(node.mempool.count == 4)
            #expect(node.mempool.refusesClients)

            // Blocks take what is pooled: below the bound, clients are taken again.
            try node.start()
            defer { node.stop() }
            _ = node.settledHeight()
            #expect(node.mempool.count == 0)
            _ = try node.submitRawTransaction(try A.raw(nonce: 4))
        }
    }

    // MARK: the backlog the bound counts

    typealias M = MempoolTests

    @Test("only transactions that can execute in turn count: one behind a missing nonce waits outside the count until the gap fills")
    func executableCount() throws {
        let pool = Mempool()
        for n: UInt64 in [0, 1, 2] { try M.add(pool, M.tx(M.alice, n), M.alice) }
        #expect(pool.executableTotal == 3)
        try M.add(pool, M.tx(M.alice, 5), M.alice)
        try M.add(pool, M.tx(M.bob, 1), M.bob)
        #expect(pool.executableTotal == 3 && pool.count == 5)
        try M.add(pool, M.tx(M.alice, 3), M.alice)
        try M.add(pool, M.tx(M.alice, 4), M.alice)
        #expect(pool.executableTotal == 6, "nonce 4 closed the gap below 5")
        try M.add(pool, M.tx(M.alice, 4, tip: 10, feeCap: 10), M.alice)
        #expect(pool.executableTotal == 6, "a replacement changes nothing")

        // A block builder drops alice's nonce 1: 2...5 now wait behind it.
        pool.remove([M.tx(M.alice, 1).hash])
        #expect(pool.executableTotal == 1)
        // A block commits alice's 0 and 1 (nonce 2 next) and bob's 0 (nonce 1 next).
        pool.removeCommitted([M.tx(M.alice, 0)], senders: [M.address(M.alice)]) { $0 == M.address(M.alice) ? 2 : 1 }
        pool.removeCommitted([M.tx(M.bob, 0)], senders: [M.address(M.bob)]) { $0 == M.address(M.alice) ? 2 : 1 }
        #expect(pool.executableTotal == 5, "alice's 2...5 and bob's 1")
        #expect(pool.count == 5)
    }

    @Test("transactions that never execute cannot shut clients out: the bound counts the executable backlog only")
    func gappedTransactionsDoNotBlockClients() throws {
        try Self.withNode(clientMax: 2) { node in
            // Nonces 1 and 2 wait for 0: not a backlog.
            _ = try node.submitRawTransaction(try A.raw(nonce: 1))
            _ = try node.submitRawTransaction(try A.raw(nonce: 2))
            #expect(!node.mempool.refusesClients)
            // The missing one is taken, and with it the whole run counts.
            _ = try node.submitRawTransaction(try A.raw(nonce: 0))
            #expect(node.mempool.executableTotal == 3)
            #expect(throws: AdmissionError.poolFull) { _ = try node.submitRawTransaction(try A.raw(nonce: 3)) }
        }
    }
}
