/// The command line of `quorate-evm`.
public enum EVMCommand: Equatable, Sendable {
    case statetest(StatetestOptions)
    case bench(BenchOptions)
    case help

    public static let usage = """
        usage: quorate-evm statetest [--fork NAME] [--trace | --json] [--quiet] [--folders] [--skip-file FILE] PATH...
               quorate-evm bench [--quick] [--gas N] [--dir DIR]
          statetest  runs ethereum/tests state test files (folders are searched recursively, in
                     sorted order): one JSON object per case, then "N passed, N failed, N skipped".
                     Exit status 1 when any case failed.
            --fork NAME       the post column to check (default Cancun)
            --trace, --json   an EIP-3155 JSON trace of every instruction on stderr
            --quiet           print only failures and the summary
            --folders         before the summary, one count line per top-level folder
            --skip-file FILE  cases not run (default Tests/Fixtures/evm-runner/skip.txt if present)
          bench      runs the EVM loops of evm/bench/*.hex and prints Mgas/s and ns per instruction
            --quick           a short run (4M gas per loop instead of 100M)
            --gas N           the gas budget of each loop
            --dir DIR         where the loops' hex files are (default evm/bench)
        """

    public static func parse(_ args: [String]) throws -> EVMCommand {
        guard let sub = args.first else { throw UsageError("no command given") }
        let rest = Array(args.dropFirst())
        switch sub {
        case "statetest": return .statetest(try StatetestOptions.parse(rest))
        case "bench": return .bench(try BenchOptions.parse(rest))
        case "help", "--help", "-h": return .help
        default: throw UsageError("unknown command \"\(sub)\"")
        }
    }
}

public struct UsageError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

public struct StatetestOptions: Equatable, Sendable {
    public var fork = "Cancun"
    public var trace = false
    public var quiet = false
    public var folders = false
    public var skipFile: String?
    public var paths: [String] = []

    public init() {}

    static let knownForks: Set<String> = [
        "Frontier", "Homestead", "EIP150", "EIP158", "Byzantium", "Constantinople", "ConstantinopleFix",
        "Istanbul", "Berlin", "London", "Paris", "Merge", "Shanghai", "Cancun", "Prague", "Osaka",
    ]

    static func parse(_ args: [String]) throws -> StatetestOptions {
        var o = StatetestOptions()
        var i = 0
        func value(_ flag: String) throws -> String {
            i += 1
            guard i < args.count, !args[i].hasPrefix("--") else { throw UsageError("\(flag) needs a value") }
            return args[i]
        }
        while i < args.count {
            let a = args[i]
            switch a {
            case "--fork":
                o.fork = try value(a)
                guard knownForks.contains(o.fork) else { throw UsageError("unknown fork \"\(o.fork)\"") }
            case "--trace", "--json": o.trace = true
            case "--quiet": o.quiet = true
            case "--folders": o.folders = true
            case "--skip-file": o.skipFile = try value(a)
            default:
                if a.hasPrefix("-") { throw UsageError("unknown option \(a)") }
                o.paths.append(a)
            }
            i += 1
        }
        guard !o.paths.isEmpty else { throw UsageError("statetest needs at least one file or folder") }
        return o
    }
}

public struct BenchOptions: Equatable, Sendable {
    public var gasBudget: UInt64 = 100_000_000
    public var directory = "evm/bench"

    public init() {}

    static func parse(_ args: [String]) throws -> BenchOptions {
        var o = BenchOptions()
        var i = 0
        while i < args.count {
            switch args[i] {
            case "--quick": o.gasBudget = 4_000_000
            case "--gas":
                i += 1
                guard i < args.count, let n = UInt64(args[i]), n >= 100_000 else {
                    throw UsageError("--gas needs a number of at least 100000")
                }
                o.gasBudget = n
            case "--dir":
                i += 1
                guard i < args.count else { throw UsageError("--dir needs a folder") }
                o.directory = args[i]
            default: throw UsageError("unknown bench argument \(args[i])")
            }
            i += 1
        }
        return o
    }
}
