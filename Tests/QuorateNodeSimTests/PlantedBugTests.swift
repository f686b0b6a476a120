import QuorateNode
import QuorateNodeSim
@_spi(Testing) import QuorateSim
import Testing

/// Each planted bug must be reported by the whole-node simulator within a bounded number of seeds.
@Suite struct PlantedBugTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var bug: PlantedBug
        var withinSeeds: UInt64
        var kinds: [Violation.Kind]
        var testDescription: String { PlantedBug.named.first { $0.1 == bug }!.0 }
    }

    static let cases = [
        // (a) commit before the write holding the block is synced: a crash would lose it.
        Case(bug: .commitBeforeSync, withinSeeds: 100, kinds: [.store]),
        // (b) the validator skips the post-state-root check: a wrong-root block is committed.
        Case(bug: .skipStateRootCheck, withinSeeds: 150, kinds: [.state]),
        // (c) the mempool admits a second transaction for a pooled nonce.
        Case(bug: .mempoolDuplicateNonce, withinSeeds: 20, kinds: [.transactions]),
        // (d) block sync applies a block without checking its certificate: a forged block is committed.
        Case(bug: .skipSyncedCertificateCheck, withinSeeds: 100, kinds: [.agreement, .certificate, .validity]),
        // (e) a vote of the next height written while the decided block's write is under way: a
        // crash then leaves the vote on disk above a store that lacks the block.
        Case(bug: .hardStateBeforeBlockWrite, withinSeeds: 200, kinds: [.store, .doubleSign]),
    ]

    @Test("each planted bug (a)-(e) is reported within its bound of seeds, as the violation it causes", arguments: cases)
    func reported(_ planted: Case) throws {
        let report = NodeSimulation.sweep(seeds: 0..<planted.withinSeeds, validatorCounts: [4], jobs: 2, bugs: planted.bug,
                                          stopAtFirstFailure: true)
        let failure = try #require(report.failures.first, "\(planted.testDescription) not reported within \(planted.withinSeeds) seeds")
        print("planted bug \(planted.testDescription): caught at seed \(failure.seed) (\(report.seeds) seeds run): \(failure.violation!)")
        #expect(planted.kinds.contains(failure.violation!.kind), "\(failure.violation!)")
    }
}
