import Dispatch
import QuorateNode
@_spi(Testing) import QuorateSim
import Synchronization

/// Runs whole-node seeds: the consensus simulator's faults (loss, duplication, delay, partitions,
/// crashes, twins and other Byzantine validators) plus the whole node's persistence points, with
/// blocks of real transfers.
public enum NodeSimulation {
    /// The defaults of a whole-node seed: short (a faulty period up to 1.5 s, three heights after
    /// the heal) so that a debug build runs hundreds of seeds in minutes.
    public static func options(validators: Int, seed: UInt64) -> SimOptions {
        var options = SimOptions(validators: validators, seed: seed)
        options.chaosMsMax = 1_500
        options.partitionMsMax = 1_000
        options.heightsAfterHeal = 3
        options.crashAtPersistPermille = 20
        options.crashBeforeWritePermille = 20
        options.byzantineForgeSync = true
        options.byzantineBadStateRoot = true
        options.slowDiskMsMax = 30
        options.silentSyncPermille = 200
        return options
    }

    public static func run(_ options: SimOptions, bugs: PlantedBug = [],
                           eventLog: ((String) -> Void)? = nil) -> SimResult {
        let application = WholeNodeApplication(bugs: bugs)
        defer { application.removeStores() }
        let simulation = Simulation(options: options, application: application)
        simulation.eventLog = eventLog
        return simulation.run()
    }

    /// Seeds `seeds` on `jobs` threads; stops early at the first violation when asked.
    public static func sweep(seeds: Range<UInt64>, validatorCounts: [Int], jobs: Int, bugs: PlantedBug = [],
                             stopAtFirstFailure: Bool = false) -> SweepReport {
        SimSweep.run(seeds: seeds, validatorCounts: validatorCounts, jobs: jobs, stopAtFirstFailure: stopAtFirstFailure,
                     options: { options(validators: $0, seed: $1) }, simulate: { run($0, bugs: bugs) })
    }
}
