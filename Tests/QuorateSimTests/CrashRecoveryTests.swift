@_spi(Testing) import QuorateSim
import Testing

@Suite struct CrashRecoveryTests {
    /// A calm network (no loss, no partitions, no Byzantine validators) so that the only fault
    /// is the planted crash.
    static func calm(n: Int, seed: UInt64) -> SimOptions {
        var options = SimOptions(validators: n, seed: seed)
        options.chaosMsMax = 0
        options.byzantine = false
        options.heightsAfterHeal = 3
        return options
    }

    @Test("crash at every persistence point of three heights: zero double-signs, zero lost commits (n=4)")
    func crashAtEveryPersistencePoint() {
        let base = Self.calm(n: 4, seed: 7)
        let reference = Simulation(options: base).run()
        #expect(reference.violation == nil)
        let writes = reference.hardStateWrites[0]
        #expect(writes >= 9, "several writes per height")
        for k in 1...writes {
            var options = base
            options.crashAfterWrite = (node: 0, write: k, restartAfterMs: 100)
            let result = Simulation(options: options).run()
            #expect(result.violation == nil, "crash after write \(k): \(result.violation.map(String.init(describing:)) ?? "")")
            #expect(result.honestHeight >= 3, "crash after write \(k) lost a commit")
        }
    }

    @Test("with sends before the write, some persistence point leads to a double-sign (planted fault)")
    func sendBeforePersistIsCaughtAtSomePoint() {
        var found: Violation?
        for seed: UInt64 in 0..<20 where found == nil {
            var base = Self.calm(n: 4, seed: seed)
            base.faults.sendBeforePersist = true
            let writes = Simulation(options: base).run().hardStateWrites[0]
            for k in 1...writes where found == nil {
                var options = base
                options.crashAfterWrite = (node: 0, write: k, restartAfterMs: 1)
                found = Simulation(options: options).run().violation
            }
        }
        #expect(found?.kind == .doubleSign, "\(found.map(String.init(describing:)) ?? "no violation")")
    }

    @Test("after a minute-long partition the network resumes within the liveness bound, not minutes (n=4)")
    func longOutageResumesWithinOneCappedTimeout() {
        for seed: UInt64 in 0..<5 {
            var options = SimOptions(validators: 4, seed: seed)
            options.chaosMsMax = 60_000
            options.partitionMsMax = 60_000
            let result = Simulation(options: options).run()
            #expect(result.violation == nil, "\(result.violation.map(String.init(describing:)) ?? "")")
            if let recovery = result.healToProgressMs {
                #expect(recovery <= options.livenessBoundMs)
            }
        }
    }
}
