import Dispatch
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

    /// Polls `condition` for up to 120 s (the whole suite runs in parallel on two cores, and its
    /// dispatch threads are shared); nothing is asserted about how long it took.
    static func eventually(_ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Node.wallClockMs() + 120_000
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
        // One transaction a block: the second waits when block 1 is decided.
        var genesis = try D.genesis()
        genesis.consensus.maxBlockTransactions = 1
        var dir = try NodeDirectory("overlap", genesis: genesis)
        defer { dir.remove() }
        dir.config.validatorKey = D.validatorKey
        let transport = HeadAtSendTransport()
        let node = try Node(config: dir.config, transport: transport)
        transport.store.withLock { $0 = node.store }
        let proposals = { node.telemetry.metrics.value("quorate_consensus_proposals_made_total") }

        // Every block's write is held until the test lets it go: block 1 is decided, but its
        // write waits (on the commit writer, or on the executor if it claims the write first).
        let gate = DispatchSemaphore(value: 0)
        node.consensus.beforeCommitWrite = { gate.wait(); gate.signal() }
        // `start` returns once the executor ran its first inputs, which here end at the held write.
        let started = DispatchSemaphore(value: 0)
        var released = false
        defer {
            if !released { gate.signal() }
            started.wait()
            node.stop()
        }
        // Nonce 1 executes only on block 1's post-state: height 2 builds it there.
        _ = try node.submit(raw: try D.transfer(nonce: 0))
        _ = try node.submit(raw: try D.transfer(nonce: 1))
        // A thread of its own, not a dispatch worker: it blocks until the write is let go.
        Thread {
            do { try node.start() } catch { Issue.record("the node did not start: \(error)") }
            started.signal()
        }.start()
        #expect(Self.eventually { proposals() == 2 }, "height 2 did not start while block 1 was being written")
        // The signed proposal of height 2 waits for block 1's write: the executor blocks there.
        #expect(Self.eventually { node.consensus.waitingForWriteOfHeight.load(ordering: .sequentiallyConsistent) == 1 },
                "the signed proposal of height 2 did not wait for block 1's write")
        #expect(node.store.head.height == 0, "block 1 reached the store although its write was held")
        let held = try #require(try Self.storedHardState(node.store))
        #expect(held.height == 1, "a hard state of height 2 was written before block 1: \(held)")
        #expect(transport.sent.withLock { $0.allSatisfy { $0.height <= 1 } }, "a message of height 2 left before block 1 was written")

        released = true
        gate.signal()
        #expect(node.waitForHeight(2, timeoutMs: 120_000))
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

    @Test("a stored consensus state two heights above the chain stops the node at start, saying what to do")
    func hardStateAheadStopsTheNode() throws {
        var dir = try NodeDirectory("ahead", genesis: try D.genesis())
        defer { dir.remove() }
        dir.config.validatorKey = D.validatorKey
        do {
            let store = try ChainStore(path: dir.config.storePath)
            try store.saveConsensusState(HardState(height: 2).encoded())
        }
        let node = try Node(config: dir.config)
        defer { node.stop() }
        let error = #expect(throws: ConsensusStartError.self) { try node.start() }
        #expect(error?.description.contains("height 2 but the block store ends at height 0") == true)
        #expect(error?.description.contains("restore the data directory") == true)
    }
}
