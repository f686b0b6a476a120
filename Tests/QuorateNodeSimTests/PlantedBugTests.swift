import QuorateNode
import QuorateNodeSim
@_spi(Testing) import QuorateSim
import Testing

/// Each planted bug must be reported by the whole-node simulator within a bounded number of seeds.
@Suite struct PlantedBugTests {
    static func firstViolation(_ bug: PlantedBug, within seeds: UInt64) -> SimResult? {
        let report = NodeSimulation.sweep(seeds: 0..<seeds, validatorCounts: [4], jobs: 2, bugs: bug, stopAtFirstFailure: true)
        if let failure = report.failures.first {
            print("planted bug \(PlantedBug.named.first { $0.1 == bug }!.0): caught at seed \(failure.seed) (\(report.seeds) seeds run): \(failure.violation!)")
        }
        return report.failures.first
    }

    @Test("(a) committing a block before its write is synced is reported within 100 seeds")
    func commitBeforeSync() throws {
        let failure = try #require(Self.firstViolation(.commitBeforeSync, within: 100))
        #expect(failure.violation?.kind == .store, "\(failure.violation!)")
    }

    @Test("(b) a validator that skips the post-state-root check is reported within 150 seeds")
    func skipStateRoot() throws {
        let failure = try #require(Self.firstViolation(.skipStateRootCheck, within: 150))
        #expect(failure.violation?.kind == .state, "\(failure.violation!)")
    }

    @Test("(c) a mempool admitting a nonce twice is reported within 20 seeds")
    func duplicateNonce() throws {
        let failure = try #require(Self.firstViolation(.mempoolDuplicateNonce, within: 20))
        #expect(failure.violation?.kind == .transactions, "\(failure.violation!)")
    }

    @Test("(d) applying a synced block without checking its certificate is reported within 100 seeds")
    func skipSyncCertificate() throws {
        let failure = try #require(Self.firstViolation(.skipSyncedCertificateCheck, within: 100))
        #expect([.agreement, .certificate, .validity].contains(failure.violation!.kind), "\(failure.violation!)")
    }
}
