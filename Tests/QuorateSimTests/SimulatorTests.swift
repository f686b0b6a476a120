@_spi(Testing) import QuorateSim
import Testing

@Suite struct SimulatorTests {
    @Test("a seed replays exactly: same trace hash, same events")
    func replay() {
        for n in [4, 7] {
            let first = Simulation(options: SimOptions(validators: n, seed: 42)).run()
            let second = Simulation(options: SimOptions(validators: n, seed: 42)).run()
            #expect(first.traceHash == second.traceHash && first.events == second.events)
            #expect(first.violation == nil)
            let other = Simulation(options: SimOptions(validators: n, seed: 43)).run()
            #expect(other.traceHash != first.traceHash)
        }
    }

    @Test("a lone validator commits by itself in the simulator (n=1)")
    func loneValidator() {
        var options = SimOptions(validators: 1, seed: 1)
        options.heightsAfterHeal = 5
        let result = Simulation(options: options).run()
        #expect(result.violation == nil)
        #expect(result.honestHeight >= 5)
    }

    @Test("1,200 seeds over n=4 and n=7 with loss, partitions, crashes, twins and Byzantine validators: no violation")
    func sweep() {
        let report = SimSweep.run(seeds: 0..<1_200, validatorCounts: [4, 7], jobs: 2)
        for failure in report.failures {
            Issue.record("seed \(failure.seed) n=\(failure.validators): \(failure.violation!) [\(failure.scenario)]")
        }
        #expect(report.seeds == 1_200)
        print("sweep: \(report.seeds) seeds, \(report.events) events, \(Int(report.seedsPerSecond)) seeds/s, slowest recovery after a heal \(report.maxHealToProgressMs) ms")
    }

    @Test("the sweep's seeds cover every kind of fault")
    func coverage() {
        var kinds: [String: Int] = [:]
        for seed: UInt64 in 0..<200 {
            let scenario = Simulation(options: SimOptions(validators: seed % 2 == 0 ? 4 : 7, seed: seed)).run().scenario
            for kind in ["twin", "equivocator", "double-voter", "silent", "no byzantine"] where scenario.contains(kind) {
                kinds[kind, default: 0] += 1
            }
            if !scenario.contains(" 0 partitions") { kinds["partition", default: 0] += 1 }
            if !scenario.contains(" 0 crashes") { kinds["crash", default: 0] += 1 }
        }
        for kind in ["twin", "equivocator", "double-voter", "silent", "no byzantine", "partition", "crash"] {
            #expect((kinds[kind] ?? 0) >= 10, "\(kind): \(kinds[kind] ?? 0) of 200 seeds")
        }
    }

    /// Sweeps until the first violation; nil if none within `seeds`.
    static func firstViolation(_ name: String, seeds: Range<UInt64>,
                               configure: @escaping @Sendable (inout SimOptions) -> Void) -> SimResult? {
        let report = SimSweep.run(seeds: seeds, validatorCounts: [4], jobs: 2, stopAtFirstFailure: true, configure: configure)
        if let failure = report.failures.first {
            print("planted fault \(name): caught at seed \(failure.seed) (\(report.seeds) seeds run): \(failure.violation!)")
        }
        return report.failures.first
    }

    @Test("the checkers catch locking turned off (planted fault) within 300 seeds")
    func catchesLockingOff() throws {
        let failure = try #require(Self.firstViolation("locking off", seeds: 0..<300) { $0.faults.ignoreLock = true })
        #expect(failure.violation?.kind == .agreement, "\(failure.violation!)")
    }

    @Test("the checkers catch sending before persisting (planted fault) within 300 seeds")
    func catchesSendBeforePersist() throws {
        let failure = try #require(Self.firstViolation("send before persist", seeds: 0..<300) {
            $0.faults.sendBeforePersist = true
            $0.crashAtPersistPermille = 150
        })
        #expect(failure.violation?.kind == .doubleSign, "\(failure.violation!)")
    }

    @Test("the checkers catch twins of f+1 validators (planted fault) within 300 seeds")
    func catchesTwinsBeyondF() throws {
        let failure = try #require(Self.firstViolation("twins of f+1", seeds: 0..<300) { $0.faults.twinsBeyondF = true })
        #expect(failure.violation?.kind == .agreement, "\(failure.violation!)")
    }
}
