import Dispatch
import Foundation
import QuorateCore
@testable import QuorateNode
import QuorateStorage
import Synchronization
import Testing

/// A clock the test moves by hand, and the driver's deferred work on it: nothing runs until the
/// test moves the clock past its due time.
final class ManualClock: DelayedWork, @unchecked Sendable {
    private struct Pending {
        var dueMs: UInt64
        var queue: DispatchQueue
        var work: @Sendable () -> Void
    }

    let ms: Atomic<UInt64>
    private let pending = Mutex<[Pending]>([])

    init(_ start: UInt64) { ms = Atomic(start) }

    func run(afterMs: UInt64, on queue: DispatchQueue, _ work: @escaping @Sendable () -> Void) {
        let due = ms.load(ordering: .relaxed) + afterMs
        pending.withLock { $0.append(Pending(dueMs: due, queue: queue, work: work)) }
    }

    /// Moves the clock and hands what fell due to its queues, in due order.
    func advance(_ by: UInt64) {
        let now = ms.add(by, ordering: .relaxed).newValue
        let due = pending.withLock { list -> [Pending] in
            let ready = list.filter { $0.dueMs <= now }.sorted { $0.dueMs < $1.dueMs }
            list.removeAll { $0.dueMs <= now }
            return ready
        }
        for item in due { item.queue.async(execute: item.work) }
    }
}

@Suite("block pacing under load")
struct BusyIntervalTests {
    typealias D = ConsensusDriverTests

    static func node(clock: ManualClock) throws -> (Node, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quorate-busy-\(UUID().uuidString)").path
        var config = NodeConfig(dataDir: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try ChainStore.initialize(path: config.storePath, genesis: try D.genesis())
        config.validatorKey = D.validatorKey
        return (try Node(config: config, clockMs: { clock.ms.load(ordering: .relaxed) }, delays: clock), dir)
    }

    static func settled(_ node: Node) -> UInt64 { node.settledHeight() }

    @Test("after a block of busyBlockTransactions or more, the next height waits until busyIntervalMs after it; after a small block it does not")
    func waitsOnlyUnderLoad() throws {
        let clock = ManualClock(1_000_000)
        let (node, dir) = try Self.node(clock: clock)
        defer { node.stop(); try? FileManager.default.removeItem(atPath: dir) }
        let load = ConsensusDriver.busyBlockTransactions
        for nonce in 0..<load { _ = try node.submit(raw: try D.transfer(nonce: UInt64(nonce))) }
        try node.start()
        #expect(Self.settled(node) == 1)
        #expect(try node.store.block(at: 1)?.transactions.count == load)

        // Busy: with the clock standing still at block 1's time, one more transfer waits.
        _ = try node.submit(raw: try D.transfer(nonce: UInt64(load)))
        #expect(Self.settled(node) == 1, "the height started at once under load")
        clock.advance(ConsensusDriver.busyIntervalMs - 1)
        #expect(Self.settled(node) == 1, "the height started before busyIntervalMs passed")
        // The wake-up is due one millisecond after the interval (the driver rounds up).
        clock.advance(2)
        #expect(Self.settled(node) == 2)
        #expect(try node.store.block(at: 2)?.transactions.count == 1)

        // Block 2 held one transfer: the next one goes at once, clock still standing.
        _ = try node.submit(raw: try D.transfer(nonce: UInt64(load + 1)))
        #expect(Self.settled(node) == 3)
    }
}
