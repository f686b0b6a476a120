import Dispatch
import Foundation
import Synchronization

/// Many seeds, on all cores: each seed is an independent run.
public struct SweepReport: Sendable {
    public var seeds: Int
    public var failures: [SimResult]
    public var elapsedSeconds: Double
    public var events: Int
    /// Slowest recovery after a heal, over the seeds that had one.
    public var maxHealToProgressMs: UInt64
    /// Crashes drawn at persistence points, over all seeds.
    public var persistenceCrashes: Int
    /// What each seed injected, in seed order.
    public var scenarios: [String]
    public var seedsPerSecond: Double { elapsedSeconds > 0 ? Double(seeds) / elapsedSeconds : 0 }
}

public enum SimSweep {
    /// Runs `seeds`, the validator count of seed k being `validatorCounts[k % count]`.
    /// `configure` adjusts each run's options (planted faults, limits).
    public static func run(seeds: Range<UInt64>, validatorCounts: [Int], jobs: Int,
                           stopAtFirstFailure: Bool = false,
                           configure: @Sendable (inout SimOptions) -> Void = { _ in }) -> SweepReport {
        run(seeds: seeds, validatorCounts: validatorCounts, jobs: jobs, stopAtFirstFailure: stopAtFirstFailure,
            options: { n, seed in
                var options = SimOptions(validators: n, seed: seed)
                configure(&options)
                return options
            }, simulate: { Simulation(options: $0).run() })
    }

    /// The same, with each seed's options and its run given: the whole-node simulator's sweep.
    public static func run(seeds: Range<UInt64>, validatorCounts: [Int], jobs: Int, stopAtFirstFailure: Bool,
                           options makeOptions: @Sendable (Int, UInt64) -> SimOptions,
                           simulate: @Sendable (SimOptions) -> SimResult) -> SweepReport {
        precondition(!validatorCounts.isEmpty && jobs >= 1)
        let started = DispatchTime.now().uptimeNanoseconds
        let results = Mutex<[SimResult]>([])
        let next = Mutex<UInt64>(seeds.lowerBound)
        let stop = Mutex(false)
        DispatchQueue.concurrentPerform(iterations: jobs) { _ in
            while true {
                let seed: UInt64? = next.withLock { n in
                    guard n < seeds.upperBound, !stop.withLock({ $0 }) else { return nil }
                    defer { n += 1 }
                    return n
                }
                guard let seed else { return }
                let result = simulate(makeOptions(validatorCounts[Int(seed % UInt64(validatorCounts.count))], seed))
                results.withLock { $0.append(result) }
                if result.violation != nil, stopAtFirstFailure { stop.withLock { $0 = true } }
            }
        }
        let all = results.withLock { $0 }.sorted { $0.seed < $1.seed }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return SweepReport(seeds: all.count, failures: all.filter { $0.violation != nil }, elapsedSeconds: elapsed,
                           events: all.reduce(0) { $0 + $1.events },
                           maxHealToProgressMs: all.compactMap(\.healToProgressMs).max() ?? 0,
                           persistenceCrashes: all.reduce(0) { $0 + $1.persistenceCrashes }, scenarios: all.map(\.scenario))
    }
}
