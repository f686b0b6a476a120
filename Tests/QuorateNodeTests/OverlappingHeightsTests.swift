import Foundation
import QuorateConsensus
import QuorateCore
@testable import QuorateNode
import QuorateStorage
import Synchronization
import Testing

/// Records, for each message the driver sends, the store's head at that moment.
final class HeadAtSendTransport: ConsensusTransport, @unchecked Sendable {
    let store: Mutex<ChainStore?> = Mutex(nil)
    let sent: Mutex<[(height: UInt64, storeHead: UInt64)]> = Mutex([])

    func broadcast(_ message: ConsensusMessage) { record(message) }
    func send(_ message: ConsensusMessage, to validator: Address) { record(message) }

    private func record(_ message: ConsensusMessage) {
        let head = store.withLock { $0?.head.height } ?? 0
        sent.withLock { $0.append((message.height, head)) }
    }
}

@Suite("overlapping heights")
struct OverlappingHeightsTests {
    typealias D = ConsensusDriverTests

    /// Polls `condition` for up to 30 s; nothing is asserted about how long it took.
    static func eventually(_ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Node.wallClockMs() + 30_000
        while try !condition() {
            if Node.wallClockMs() > deadline { return false }
            usleep(2_000)
        }
        return true
    }

    static func storedHardState(_ store: ChainStore) throws -> HardState? {
        try store.consensusState().map { try HardState(decoding: $0) }
    }

    @Test("height 2 is built on block 1's post-state while block 1's write is held, and nothing of height 2 is signed onto disk or sent before block 1 is written (n=1)")
    func nextHeightRunsWhileTheBlockIsWritten() throws {
        var dir = try NodeDirectory("overlap", genesis: try D.genesis())
        defer { dir.remove() }
        dir.config.validatorKey = D.validatorKey
        let transport = HeadAtSendTransport()
        let node = try Node(config: dir.config, transport: transport)
        transport.store.withLock { $0 = node.store }
        let proposals = { node.telemetry.metrics.value("quorate_consensus_proposals_made_total") }

        // The commit writer is held: block 1 is decided, but its write waits.
        node.consensus.commitWriter.suspend()
        var released = false
        defer {
            if !released { node.consensus.commitWriter.resume() }
            node.stop()
        }
        _ = try node.submit(raw: try D.transfer(nonce: 0))
        try node.start()
        #expect(Self.eventually { proposals() == 1 })
        #expect(try Self.eventually { try Self.storedHardState(node.store)?.lastPrecommit?.height == 1 })

        // Nonce 1 executes only on block 1's post-state: height 2 builds it there.
        _ = try node.submit(raw: try D.transfer(nonce: 1))
        #expect(Self.eventually { proposals() == 2 }, "height 2 did not start while block 1 was being written")
        #expect(node.store.head.height == 0, "block 1 reached the store although its write was held")
        let held = try #require(try Self.storedHardState(node.store))
        #expect(held.height == 1, "a hard state of height 2 was written before block 1: \(held)")
        #expect(transport.sent.withLock { $0.allSatisfy { $0.height <= 1 } }, "a message of height 2 left before block 1 was written")

        released = true
        node.consensus.commitWriter.resume()
        #expect(node.waitForHeight(2, timeoutMs: 30_000))
        #expect(node.settledHeight() == 2)
        let block2 = try #require(try node.store.block(at: 2))
        #expect(block2.transactions.map(\.nonce) == [1])
        #expect(try node.store.account(Address(D.userKey.publicKey.ethereumAddress))?.nonce == 2)
        #expect(node.mempool.count == 0, "the committed transactions stayed pooled")
        // Every message was sent with the block below its height on disk.
        let sent = transport.sent.withLock { $0 }
        #expect(sent.contains { $0.height == 2 })
        #expect(sent.allSatisfy { $0.storeHead + 1 >= $0.height }, "\(sent)")
    }
}
