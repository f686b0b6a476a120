import Foundation
import QuorateCLI

/// What the bench measures against.
enum BenchMode: String, Sendable {
    /// One validator: started by the bench (default) or reached with `--rpc`.
    case single
    /// The validators of a local testnet, transactions spread over all their RPC endpoints.
    case testnet
    /// A fresh node catching up with a chain of pre-made transfers.
    case sync
}

enum Workload: String, Sendable {
    case transfers
    case erc20
}

/// Everything the command line decides. Names carry their unit last.
struct BenchOptions: Sendable {
    var mode = BenchMode.single
    /// Empty: the bench starts its own node. Several URLs are for the testnet mode.
    var rpcURLs: [String] = []
    var nodeBinary = BenchOptions.siblingBinary("quorate-node")
    /// Parent folder of the started node's files; a fresh temporary folder when nil.
    var workDir: String?
    var keep = false
    /// Process and folder of a node the bench did not start, for CPU, memory and disk figures.
    var nodePid: Int32?
    var nodeDataDir: String?
    /// Validators of the testnet the bench starts (`--mode testnet`).
    var validators = 4
    /// A running `tools/testnet` folder to measure instead of starting one.
    var testnetDir: String?
    var testnetTool = BenchOptions.repositoryTool("testnet")

    /// What each pre-signed transaction does: a plain transfer, or an ERC-20 `transfer` call.
    var workload = Workload.transfers
    var accounts = 1_000
    var seed = "quorate-bench"
    var keystoreDir: String?
    var passwordFile: String?

    /// Nil is maximum rate.
    var ratePerS: Double?
    var durationS: Double = 60
    /// When set, exactly this many transfers are submitted and the duration is ignored.
    var transactions: Int?
    /// Maximum-rate runs of a given duration pre-sign `durationS * presignRatePerS` transfers.
    var presignRatePerS: Double = 30_000
    var threads = 4
    var batchMax = 1_000
    /// Most transfers submitted and not yet committed at maximum rate (the node's pool holds 200,000).
    var windowMax = 50_000
    var pollIntervalMs = 2
    /// Longest wait for submitted transfers to commit once submission has ended.
    var drainTimeoutS: Double = 120
    /// Longest time without a new block while transfers are pending before the run is called stuck.
    var stallTimeoutS: Double = 30
    var verify = false
    /// sync mode: the fresh node starts with --state-sync instead of replaying every block.
    var stateSync = false
    var quick = false
    var jsonOut: String?

    var isMaxRate: Bool { ratePerS == nil }

    /// About 300 bytes each in memory: 50 million is 15 GB.
    static let maxPresigned = 50_000_000

    /// How many transfers to sign before the clock starts.
    var presignCount: Int {
        if let transactions { return transactions }
        let rate = ratePerS ?? presignRatePerS
        return max(1, Int(min((rate * durationS).rounded(.up), 1e15)))
    }

    /// `tools/NAME` of the repository whose `.build` holds this binary: the first folder above
    /// the binary that has it (`.build/release` may be a link into `.build/<triple>/release`).
    static func repositoryTool(_ name: String) -> String {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let relative = "tools/" + name
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent(relative).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return relative
    }

    /// Sync mode: transfers in the chain the fresh node catches up with, unless told.
    static let defaultSyncTransfers = 1_000_000

    static func siblingBinary(_ name: String) -> String {
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return me.deletingLastPathComponent().appendingPathComponent(name).path
    }
}

extension BenchOptions {
    static let switchNames: Set<String> = ["keep", "quick", "verify", "help", "max-rate", "state-sync"]

    static func parse(_ argv: [String]) throws -> BenchOptions {
        var args = try CommandLineArguments(argv, switchNames: switchNames)
        try args.refusePositional()
        var o = BenchOptions()
        if let m = args.option("mode") {
            guard let mode = BenchMode(rawValue: m) else { throw UsageError("--mode \(m): expected single, testnet or sync") }
            o.mode = mode
        }
        if let w = args.option("workload") {
            guard let workload = Workload(rawValue: w) else { throw UsageError("--workload \(w): expected transfers or erc20") }
            o.workload = workload
        }
        o.quick = args.flag("quick")
        if o.mode == .sync { o.transactions = BenchOptions.defaultSyncTransfers }
        if o.quick { o.applyQuickDefaults() }
        o.rpcURLs = args.options("rpc")
        o.nodeBinary = args.option("node-bin") ?? o.nodeBinary
        o.workDir = args.option("workdir")
        o.keep = args.flag("keep")
        o.stateSync = args.flag("state-sync")
        o.nodePid = try args.int("node-pid", range: 1...Int(Int32.max)).map(Int32.init)
        o.nodeDataDir = args.option("node-datadir")
        o.validators = try args.int("validators", range: 1...64) ?? o.validators
        o.testnetDir = args.option("testnet-dir")
        o.testnetTool = args.option("testnet-tool") ?? o.testnetTool
        try o.parseAccounts(&args)
        try o.parseLoad(&args)
        o.verify = o.verify || args.flag("verify")
        o.jsonOut = args.option("json-out")
        try args.refuseUnknown()
        try o.check()
        return o
    }

    /// The smoke tests: small enough for the suite on 2 cores, every transfer checked.
    mutating func applyQuickDefaults() {
        switch mode {
        case .single: transactions = 3_000
        case .testnet: transactions = 400  // four validators share the cores: a few hundred
        case .sync: transactions = 2_000
        }
        accounts = 20
        threads = 2
        batchMax = mode == .testnet ? 50 : 250
        windowMax = 10_000
        verify = mode != .sync  // the sync check compares the fresh node's head with the validator's
        drainTimeoutS = 60
    }

    private mutating func parseAccounts(_ args: inout CommandLineArguments) throws {
        accounts = try args.int("accounts", range: 1...100_000) ?? accounts
        seed = args.option("seed") ?? seed
        keystoreDir = args.option("accounts-keystore")
        passwordFile = args.option("password-file")
    }

    private mutating func parseLoad(_ args: inout CommandLineArguments) throws {
        ratePerS = try args.double("rate", range: 0.1...10_000_000)
        if args.flag("max-rate") { ratePerS = nil }
        if let d = try args.double("duration", range: 1...86_400) {
            durationS = d
            transactions = nil  // an explicit duration beats --quick's count
        }
        if let n = try args.int("transactions", range: 1...50_000_000) { transactions = n }
        if let n = try args.int("transfers", range: 1...50_000_000) { transactions = n }
        presignRatePerS = try args.double("presign-rate", range: 1...10_000_000) ?? presignRatePerS
        threads = try args.int("threads", range: 1...64) ?? threads
        batchMax = try args.int("batch", range: 1...1_000) ?? batchMax
        windowMax = try args.int("window", range: 1...10_000_000) ?? windowMax
        pollIntervalMs = try args.int("poll-ms", range: 1...1_000) ?? pollIntervalMs
        drainTimeoutS = try args.double("drain-timeout", range: 1...86_400) ?? drainTimeoutS
        stallTimeoutS = try args.double("stall-timeout", range: 1...86_400) ?? stallTimeoutS
    }

    private func check() throws {
        switch mode {
        case .single:
            guard rpcURLs.count <= 1 else {
                throw UsageError("--mode single takes one --rpc URL; a network's nodes are for --mode testnet")
            }
        case .testnet:
            guard rpcURLs.isEmpty, nodePid == nil, nodeDataDir == nil, keystoreDir == nil else {
                throw UsageError("--mode testnet finds its nodes, pids, data folders and keystores itself: give --testnet-dir DIR for a running tools/testnet, or nothing to let the bench start one")
            }
            if testnetDir != nil, workDir != nil || keep {
                throw UsageError("--workdir and --keep are for a testnet the bench starts (no --testnet-dir)")
            }
        case .sync:
            guard rpcURLs.isEmpty, testnetDir == nil else {
                throw UsageError("--mode sync starts its own validator and fresh node: --rpc and --testnet-dir do not apply")
            }
        }
        if mode != .testnet, testnetDir != nil { throw UsageError("--testnet-dir is for --mode testnet") }
        if rpcURLs.isEmpty {
            guard keystoreDir == nil else {
                throw UsageError("--accounts-keystore is for a chain reached with --rpc URL; a node the bench starts funds its own accounts")
            }
            guard nodePid == nil, nodeDataDir == nil else {
                throw UsageError("--node-pid and --node-datadir describe a node reached with --rpc URL")
            }
        } else {
            guard workDir == nil, !keep else { throw UsageError("--workdir and --keep are for a node the bench starts (no --rpc)") }
        }
        guard presignCount <= BenchOptions.maxPresigned else {
            throw UsageError("this run would pre-sign \(grouped(presignCount)) transfers (rate x duration); at most \(grouped(BenchOptions.maxPresigned)): lower --rate, --presign-rate or --duration")
        }
        if keystoreDir != nil, passwordFile == nil {
            throw UsageError("--accounts-keystore needs --password-file FILE (the keystores' password)")
        }
    }
}
