import Foundation
import QuorateSim

/// quorate-sim --seed S [--validators N] [--trace]  replay one seed; prints its trace hash
/// quorate-sim --seeds K [--start S] [--validators N] [--jobs J]
///                                               sweep K seeds; prints seeds/s and failing seeds

struct Arguments {
    var seed: UInt64?
    var seeds: UInt64?
    var start: UInt64 = 0
    var validators: [Int] = [4, 7, 10]
    var jobs = ProcessInfo.processInfo.activeProcessorCount
    var trace = 0

    static let usage = """
        usage: quorate-sim --seed S [--validators N] [--trace | --trace-messages]
               quorate-sim --seeds K [--start S] [--validators N] [--jobs J]
        Without --validators, a sweep cycles through 4, 7 and 10 validators and --seed uses 4.
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
            case "--trace": trace = max(trace, 1)
            case "--trace-messages": trace = 2
            case "-h", "--help": throw UsageError(nil)
            default: throw UsageError("unknown argument \(args[i])")
            }
            i += 1
        }
        guard (seed == nil) != (seeds == nil) else { throw UsageError("give exactly one of --seed and --seeds") }
        if seed != nil, !validatorsGiven { validators = [4] }
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
    if let seed = args.seed {
        let simulation = Simulation(options: SimOptions(validators: args.validators[0], seed: seed))
        if args.trace > 0 { simulation.eventLog = { print($0) } }
        simulation.logMessages = args.trace > 1
        let result = simulation.run()
        print(describe(result))
        exit(result.violation == nil ? 0 : 1)
    }
    let count = args.seeds!
    let report = SimSweep.run(seeds: args.start..<(args.start + count), validatorCounts: args.validators, jobs: args.jobs)
    print("""
        \(report.seeds) seeds (validators \(args.validators.map(String.init).joined(separator: ", "))) in \
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
