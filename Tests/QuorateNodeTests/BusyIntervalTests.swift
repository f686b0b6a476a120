import Foundation
import QuorateCore
@testable import QuorateNode
import QuorateStorage
import Synchronization
import Testing

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    let ms: Atomic<UInt64>
    init(_ start: UInt64) { ms = Atomic(start) }
    func advance(_ by: UInt64) { ms.add(by, ordering: .relaxed) }
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
        return (try Node(config: config, clockMs: { clock.ms.load(ordering: .relaxed) }), dir)
    }

    @Test("after a block of busyBlockTransactions or more, the next height waits until busyIntervalMs after it; after a small block it does not")
    func waitsOnlyUnderLoad() throws {
        let clock = ManualClock(1_000_000)
        let (node, dir) = try Self.node(clock: clock)
        defer { node.stop(); try? FileManager.default.removeItem(atPath: dir) }
        let load = ConsensusDriver.busyBlockTransactions
        for nonce in 0..<load { _ = try node.submit(raw: try D.transfer(nonce: UInt64(nonce))) }
        try node.start()
        #expect(node.waitForHeight(1, timeoutMs: 30_000))
        #expect(try node.store.block(at: 1)?.transactions.count == load)

        // Busy: with the clock standing still at block 1's time, one more transfer waits.
        _ = try node.submit(raw: try D.transfer(nonce: UInt64(load)))
        #expect(!node.waitForHeight(2, timeoutMs: 300), "the height started before busyIntervalMs passed")
        clock.advance(ConsensusDriver.busyIntervalMs)
        #expect(node.waitForHeight(2, timeoutMs: 30_000))
        #expect(try node.store.block(at: 2)?.transactions.count == 1)

        // Block 2 held one transfer: the next one goes at once, clock still standing.
        _ = try node.submit(raw: try D.transfer(nonce: UInt64(load + 1)))
        #expect(node.waitForHeight(3, timeoutMs: 30_000))
    }
}
