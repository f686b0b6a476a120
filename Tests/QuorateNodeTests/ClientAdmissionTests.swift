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
            node.consensus.executor.sync {}
            #expect(node.mempool.count == 0)
            _ = try node.submitRawTransaction(try A.raw(nonce: 4))
        }
    }
}
