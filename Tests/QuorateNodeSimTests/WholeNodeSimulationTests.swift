import QuorateNode
import QuorateNodeSim
@_spi(Testing) import QuorateSim
import Testing

@Suite struct WholeNodeSimulationTests {
    @Test("one whole-node seed replays exactly: the same trace hash and events twice (n=4)")
    func seedReplays() {
        let first = NodeSimulation.run(NodeSimulation.options(validators: 4, seed: 11))
        let second = NodeSimulation.run(NodeSimulation.options(validators: 4, seed: 11))
        #expect(first.violation == nil, "\(first.violation.map(String.init(describing:)) ?? "")")
        #expect(first.traceHash == second.traceHash && first.events == second.events)
        let other = NodeSimulation.run(NodeSimulation.options(validators: 4, seed: 12))
        #expect(other.traceHash != first.traceHash)
    }

    @Test("300 whole-node seeds (n=4) with loss, partitions, crashes at persistence points, slow disks, silent and forging sync peers, twins: no violation")
    func sweep() {
        let report = NodeSimulation.sweep(seeds: 0..<300, validatorCounts: [4], jobs: 2)
        for failure in report.failures {
            Issue.record("seed \(failure.seed): \(failure.violation!) [\(failure.scenario)]")
        }
        #expect(report.seeds == 300)
        #expect(report.persistenceCrashes >= 100, "crashes at persistence points: \(report.persistenceCrashes)")
        #expect(report.seedsWith("twin") >= 20, "seeds with twins: \(report.seedsWith("twin"))")
        print("whole-node sweep: \(report.seeds) seeds, \(report.events) events, \(report.persistenceCrashes) persistence-point crashes, \(report.seedsWith("twin")) seeds with twins, \(String(format: "%.1f", report.seedsPerSecond)) seeds/s, slowest recovery after a heal \(report.maxHealToProgressMs) ms")
    }

    @Test("a crash at each of a node's first hard-state writes, restarted from its store: no violation, no lost height (n=4)")
    func crashAtEachWrite() {
        var calm = NodeSimulation.options(validators: 4, seed: 3)
        calm.chaosMsMax = 0
        calm.byzantine = false
        let reference = NodeSimulation.run(calm)
        #expect(reference.violation == nil)
        let writes = min(reference.hardStateWrites[0], 12)
        #expect(writes >= 6)
        for k in 1...writes {
            var options = calm
            options.crashAfterWrite = (node: 0, write: k, restartAfterMs: 100)
            let result = NodeSimulation.run(options)
            #expect(result.violation == nil, "crash after write \(k): \(result.violation.map(String.init(describing:)) ?? "")")
            #expect(result.honestHeight >= 3, "crash after write \(k) lost a height")
        }
    }
}

extension SweepReport {
    func seedsWith(_ role: String) -> Int { scenarios.filter { $0.contains(role) }.count }
}
