import Foundation
import QuorateCLI
import QuorateCore
@testable import QuorateNode
import Synchronization
import Testing

@Suite("proposal build time bound (--proposal-build-ms-max)")
struct ProposalBuildTimeTests {
    typealias D = ConsensusDriverTests

    /// A clock that moves `tickMs` on every read, so that building a block lasts as many ticks as
    /// the builder asks the time; deferred work runs on the same clock.
    final class TickingClock: @unchecked Sendable {
        let manual = ManualClock(1_000_000)
        let tickMs = Atomic<UInt64>(0)
        func read() -> UInt64 { manual.ms.add(tickMs.load(ordering: .relaxed), ordering: .relaxed).newValue }
    }

    static func node(clock: TickingClock, buildMsMax: UInt64?) throws -> (Node, NodeDirectory) {
        var dir = try NodeDirectory("build-time", genesis: try D.genesis())
        dir.config.validatorKey = D.validatorKey
        dir.config.proposalBuildMsMax = buildMsMax
        return (try Node(config: dir.config, clockMs: { clock.read() }, delays: clock.manual), dir)
    }

    /// A lone validator whose clock moves `tickMs` on every read commits `transfers` pooled before
    /// it starts, with the given bound: the size of each block it made.
    static func committedBlockSizes(tickMs: UInt64, buildMsMax: UInt64, transfers: Int) throws -> [Int] {
        let clock = TickingClock()
        clock.tickMs.store(tickMs, ordering: .relaxed)
        let (node, dir) = try node(clock: clock, buildMsMax: buildMsMax)
        defer { node.stop(); dir.remove() }
        for nonce in 0..<transfers { _ = try node.submit(raw: try D.transfer(nonce: UInt64(nonce))) }
        try node.start()
        _ = node.settledHeight()
        return try (1...max(1, node.store.head.height)).map { try node.store.block(at: $0)?.transactions.count ?? 0 }
    }

    @Test("a proposal whose execution reaches the bound is closed there, and the rest go in the next blocks")
    func buildStopsAtTheBound() throws {
        // Each read of the clock is 10 ms: a 250 ms bound closes a block after about 25 candidates.
        let sizes = try Self.committedBlockSizes(tickMs: 10, buildMsMax: 250, transfers: 100)
        #expect(sizes.reduce(0, +) == 100, "every transfer is committed")
        #expect(sizes.count >= 4, "blocks of 25 at most: \(sizes)")
        #expect(sizes.allSatisfy { $0 >= 1 && $0 <= 25 }, "\(sizes)")
    }

    @Test("a clock that jumps past the bound before the first candidate still leaves one transaction per block, never an empty one")
    func jumpNeverEmptiesABlock() throws {
        // Every read moves the clock past the whole bound.
        #expect(try Self.committedBlockSizes(tickMs: 300, buildMsMax: 250, transfers: 5) == [1, 1, 1, 1, 1])
    }

    @Test("with --proposal-build-ms-max 0 a slow build still fills its block to the chain's limits")
    func noBound() throws {
        #expect(try Self.committedBlockSizes(tickMs: 10, buildMsMax: 0, transfers: 100) == [100])
    }

    @Test("the default bound is a quarter of the chain's propose timeout")
    func defaultBound() throws {
        let clock = TickingClock()
        let (node, dir) = try Self.node(clock: clock, buildMsMax: nil)
        defer { node.stop(); dir.remove() }
        let genesis = try D.genesis()
        #expect(node.consensus.proposalBuildMsMax == genesis.consensus.timeoutProposeMs / 4)
    }

    @Test("--proposal-build-ms-max and --txpool-max-transactions are read, and out-of-range values refused with the range")
    func options() throws {
        var args = try CommandLineArguments(["--proposal-build-ms-max", "80", "--txpool-max-transactions", "5000"])
        var config = NodeConfig(dataDir: "/nonexistent")
        try NodeCommands.loadOptions(&args, into: &config)
        #expect(config.proposalBuildMsMax == 80)
        #expect(config.mempoolLimits.maxTransactions == 5_000)
        for bad in [["--proposal-build-ms-max", "60001"], ["--proposal-build-ms-max", "-1"],
                    ["--txpool-max-transactions", "0"], ["--txpool-max-transactions", "1000001"]] {
            var a = try CommandLineArguments(bad)
            #expect(throws: (any Error).self, "\(bad)") { try NodeCommands.loadOptions(&a, into: &config) }
        }
    }
}
