import Foundation
import QuorateNode
import QuorateNodeSim
import QuorateSim

/// quorate-sim --seed S [--validators N] [--trace]  replay one seed; prints its trace hash
/// quorate-sim --seeds K [--start S] [--validators N] [--jobs J]
///                                               sweep K seeds; prints seeds/s and failing seeds
/// Either with --node: whole nodes (mempool, block builder, executor, LevelDB store, block sync)
/// instead of the consensus machines alone; --plant BUG (repeatable) turns on a planted bug.

struct Arguments {
    var seed: UInt64?
    var seeds: UInt64?
    var start: UInt64 = 0
    var validators: [Int] = [4, 7, 10]
    var jobs = ProcessInfo.processInfo.activeProcessorCount
    var trace = 0
    var node = false
    var bugs: PlantedBug = []

    static let usage = """
        usage: quorate-sim [--node [--plant BUG]...] --seed S [--validators N] [--trace | --trace-messages]
               quorate-sim [--node [--plant BUG]...] --seeds K [--start S] [--validators N] [--jobs J]
        Without --validators, a sweep cycles through 4, 7 and 10 validators (4 and 7 with --node)
        and --seed uses 4. --node simulates whole nodes; BUG is one of \(PlantedBug.named.map(\.0).joined(separator: ", ")).
        """

    init(_ args: [String]) throws {
        var i = 0
        func value() throws -> UInt64 {
            i += 1
            guard i < args.count, let v = UInt64(args[i]) else {
                throw UsageError("\(args[i - 1]) needs a non-negative integer")
            }
            return v
        }
        var validatorsGiven = false
        while i < args.count {
            switch args[i] {
            case "--seed": seed = try value()
            case "--seeds": seeds = try value()
            case "--start": start = try value()
            case "--validators":
                let n = try value()
                guard (1...64).contains(n) else { throw UsageError("--validators must be between 1 and 64") }
                validators = [Int(n)]
                validatorsGiven = true
            case "--jobs":
                let j = try value()
                guard j >= 1 else { throw UsageError("--jobs must be at least 1") }
                jobs = Int(j)
            case "--node": node = true
            case "--plant":
                i += 1
                guard i < args.count, let bug = PlantedBug.named.first(where: { $0.0 == args[i] })?.1 else {
                    throw UsageError("--plant needs one of \(PlantedBug.named.map(\.0).joined(separator: ", "))")
                }
                bugs.insert(bug)
            case "--trace": trace = max(trace, 1)
            case "--trace-messages": trace = 2
            case "-h", "--help": throw UsageError(nil)
            default: throw UsageError("unknown argument \(args[i])")
            }
            i += 1
        }
        guard (seed == nil) != (seeds == nil) else { throw UsageError("give exactly one of --seed and --seeds") }
        if seed != nil, !validatorsGiven { validators = [4] }
        if node, seed == nil, !validatorsGiven { validators = [4, 7] }
        guard bugs.isEmpty || node else { throw UsageError("--plant needs --node") }
    }
}

struct UsageError: Error {
    let message: String?
    init(_ message: String?) { self.message = message }
}

func describe(_ r: SimResult) -> String {
    let progress = r.healToProgressMs.map { ", new height \($0) ms after the heal" } ?? ""
    let outcome = r.violation.map { "VIOLATION \($0)" } ?? "ok"
    return "seed \(r.seed) n=\(r.validators): \(outcome)\n  trace \(r.traceHash), \(r.events) events, \(r.simulatedMs) simulated ms, honest height \(r.honestHeight)\(progress)\n  \(r.scenario)"
}

do {
    let args = try Arguments(Array(CommandLine.arguments.dropFirst()))
    if let seed = args.seed, args.node {
        let result = NodeSimulation.run(NodeSimulation.options(validators: args.validators[0], seed: seed), bugs: args.bugs,
                                        eventLog: args.trace > 0 ? { print($0) } : nil)
        print(describe(result))
        exit(result.violation == nil ? 0 : 1)
    }
    if let seed = args.seed {
        let simulation = Simulation(options: SimOptions(validators: args.validators[0], seed: seed))
        if args.trace > 0 { simulation.eventLog = { print($0) } }
        simulation.logMessages = args.trace > 1
        let result = simulation.run()
        print(describe(result))
        exit(result.violation == nil ? 0 : 1)
    }
    let count = args.seeds!
    let range = args.start..<(args.start + count)
    let report = args.node
        ? NodeSimulation.sweep(seeds: range, validatorCounts: args.validators, jobs: args.jobs, bugs: args.bugs)
        : SimSweep.run(seeds: range, validatorCounts: args.validators, jobs: args.jobs)
    print("""
        \(report.seeds) \(args.node ? "whole-node " : "")seeds (validators \(args.validators.map(String.init).joined(separator: ", "))) in \
        \(String(format: "%.1f", report.elapsedSeconds)) s: \(String(format: "%.1f", report.seedsPerSecond)) seeds/s \
        on \(args.jobs) jobs, \(report.events) events, slowest recovery after a heal \(report.maxHealToProgressMs) ms
        violations: \(report.failures.count)
        """)
    for failure in report.failures { print(describe(failure)) }
    exit(report.failures.isEmpty ? 0 : 1)
} catch let error as UsageError {
    if let message = error.message { FileHandle.standardError.write(Data("quorate-sim: \(message)\n".utf8)) }
    FileHandle.standardError.write(Data((Arguments.usage + "\n").utf8))
    exit(2)
}
