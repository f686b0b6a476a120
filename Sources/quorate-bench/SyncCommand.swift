import Foundation
import QuorateCore
import QuorateRPC

/// `--mode sync`: builds a chain of N transfers on one validator the bench starts (as the single
/// mode does, progress shown), then starts a fresh non-voting node that dials it and times the
/// catch-up from the fresh node's start until its head reaches the validator's head.
struct SyncCommand {
    let options: BenchOptions

    /// How often the fresh node's head is polled while it syncs.
    static let pollIntervalS = 0.05

    func run() throws -> Int32 {
        let accounts = BenchAccounts.derive(seed: options.seed, count: options.accounts)
        let validator = try NodeProcess(binary: options.nodeBinary, workDir: options.workDir, keep: options.keep)
        defer { validator.finish() }
        let fresh = try NodeProcess(binary: options.nodeBinary, workDir: validator.workDir, keep: options.keep,
                                    name: "fresh", ownsWorkDir: false)
        defer { fresh.finish() }
        // The fresh node's key first: the validator only admits peers it was told about.
        let freshKey = try nodeKey(fresh.keygen())
        let url = try validator.create(funding: accounts.map(\.address), startArguments: ["--allow-peer", freshKey])
        let chain = try buildChain(validator, url: url, accounts: accounts)
        guard case .built(let built) = chain else {
            if case .failed(let reason) = chain { return try fail("building the chain failed: \(reason)", validator) }
            return 130
        }
        let (validatorKey, validatorPort) = try validator.p2pEndpoint()
        try fresh.initialize()
        let reader = try ChainReader(url: url)
        let targetHeight = try reader.height()
        note("chain built: \(grouped(built.transfers)) transfers in blocks up to height \(targetHeight); starting a fresh non-voting node")
        let machineLoad = MachineCPU.loadAverage1m()
        let stopwatch = Stopwatch()
        let freshURL = try fresh.start(["--non-voting", "--peer", "\(validatorKey)@127.0.0.1:\(validatorPort)"]
                                       + (options.stateSync ? ["--state-sync"] : []))
        let freshReader = try ChainReader(url: freshURL)
        let sync = try follow(freshReader, fresh: fresh, validator: validator, target: targetHeight, built: built, stopwatch: stopwatch)
        if Interruption.shared.isInterrupted { return 130 }
        guard case .reached(let elapsedS, let maxRss) = sync else {
            if case .failed(let reason) = sync { return try fail(reason, fresh) }
            return 130
        }
        let check = try compareHeads(reader, freshReader, height: targetHeight)
        let stats = fresh.pid.flatMap(ProcessStats.read)
        let report = SyncReport(options: options, machine: .read(), loadAverage1m: machineLoad, built: built, targetHeight: targetHeight,
                                elapsedS: elapsedS, freshCpuS: stats?.cpuS, freshRssBytes: stats?.rssBytes, freshMaxRssBytes: maxRss,
                                freshDataDirBytes: DirectorySize.bytes(fresh.dataDir), check: check)
        print(report.table(), terminator: "")
        if let path = options.jsonOut { try write(report.json(), to: path) }
        return check.passed ? 0 : 1
    }

    /// What the chain-building run left: its transfers per block height.
    struct BuiltChain {
        let transfers: Int
        /// Transfers at each height the run saw (all others hold none of the bench's).
        let transfersAtHeight: [UInt64: Int]
        let committedPerS: Double?
        let buildS: Double
    }

    enum Phase<T> {
        case built(T)
        case failed(String)
        case interrupted
    }

    private func buildChain(_ validator: NodeProcess, url: String, accounts: [BenchAccount]) throws -> Phase<BuiltChain> {
        let reader = try ChainReader(url: url)
        let plan = TransferPlan(chainId: try reader.chainId(), senders: accounts,
                                startNonces: try reader.nonces(accounts.map(\.address), tag: "pending"),
                                maxFeePerGas: try reader.gasPrice(), valueWei: UInt256(1), count: options.presignCount)
        let transfers = try Presigner.sign(plan)
        note("building the chain: \(grouped(transfers.count)) transfers at maximum rate")
        let load = LoadRun(options: options, urls: [url], startHeight: try reader.height(), nodePids: validator.pid.map { [$0] } ?? [],
                           nodeAlive: { validator.isRunning })
        switch load.execute(transfers) {
        case .abandoned(let reason, _, _): return Interruption.shared.isInterrupted ? .interrupted : .failed(reason)
        case .finished(let result):
            if let failure = result.failure { return .failed(failure) }
            let blocks = BlockFigures(result.watcher.blocks)
            let atHeight = Dictionary(result.watcher.blocks.map { ($0.height, $0.benchTransactionCount) }, uniquingKeysWith: +)
            return .built(BuiltChain(transfers: result.state.committed.count, transfersAtHeight: atHeight,
                                     committedPerS: blocks.committedPerS, buildS: result.drainEndS))
        }
    }

    enum SyncOutcome {
        case reached(elapsedS: Double, maxRssBytes: Int)
        case failed(String)
        case interrupted
    }

    /// Polls the fresh node until its head reaches `target`; progress once a second.
    private func follow(_ freshReader: ChainReader, fresh: NodeProcess, validator: NodeProcess, target: UInt64,
                        built: BuiltChain, stopwatch: Stopwatch) throws -> SyncOutcome {
        let transfersUpTo = cumulative(built.transfersAtHeight, upTo: target)
        var lastProgressS = 0.0, lastHeight: UInt64 = 0, lastMoveS = 0.0, maxRss = 0
        while true {
            if Interruption.shared.isInterrupted { return .interrupted }
            guard fresh.isRunning else { return .failed("the fresh node exited while syncing") }
            guard validator.isRunning else { return .failed("the validator exited while the fresh node synced") }
            let height = try freshReader.height()
            let now = stopwatch.elapsedS
            if height > lastHeight { (lastHeight, lastMoveS) = (height, now) }
            if height >= target { return .reached(elapsedS: now, maxRssBytes: max(maxRss, fresh.pid.flatMap(ProcessStats.read)?.rssBytes ?? 0)) }
            if now - lastMoveS > options.stallTimeoutS {
                return .failed("the fresh node's head stayed at \(height) of \(target) for \(Int(options.stallTimeoutS)) s (--stall-timeout)")
            }
            if now - lastProgressS >= 1 {
                lastProgressS = now
                let rss = fresh.pid.flatMap(ProcessStats.read)?.rssBytes ?? 0
                maxRss = max(maxRss, rss)
                let syncing = (try? freshReader.client.call("eth_syncing", [])).map { $0.boolValue != nil ? "eth_syncing false" : "eth_syncing highest \($0["highestBlock"]?.stringValue.flatMap { UInt256(hexQuantity: $0)?.uint64 }.map(String.init) ?? "?")" } ?? ""
                let done = transfersUpTo(height)
                note(String(format: "%6.1f s  fresh node at height %@ of %@  %@ transfers (%@/s)  %@/s blocks  %@  RSS %.0f MB",
                            now, grouped(Int(height)), grouped(Int(target)), grouped(done), grouped(Int(Double(done) / max(now, 1e-3))),
                            grouped(Int(Double(height) / max(now, 1e-3))), syncing, Double(rss) / 1e6))
            }
            Clock.sleep(seconds: SyncCommand.pollIntervalS)
        }
    }

    /// Transfers in blocks 1...h, for any h.
    private func cumulative(_ atHeight: [UInt64: Int], upTo target: UInt64) -> (UInt64) -> Int {
        let heights = atHeight.keys.filter { $0 <= target }.sorted()
        var sums = [Int]()
        for h in heights { sums.append((sums.last ?? 0) + atHeight[h]!) }
        return { h in
            var lo = 0, hi = heights.count  // first index with height > h
            while lo < hi { let mid = (lo + hi) / 2; if heights[mid] <= h { lo = mid + 1 } else { hi = mid } }
            return lo == 0 ? 0 : sums[lo - 1]
        }
    }

    /// The block at `height` on both nodes: same hash and state root.
    private func compareHeads(_ validator: ChainReader, _ fresh: ChainReader, height: UInt64) throws -> Check {
        func header(_ reader: ChainReader) throws -> (String, String) {
            let block = try reader.client.call("eth_getBlockByNumber", [.quantity(height), false])
            return (block["hash"]?.stringValue ?? "?", block["stateRoot"]?.stringValue ?? "?")
        }
        let (vHash, vRoot) = try header(validator)
        let (fHash, fRoot) = try header(fresh)
        return Check(name: "the fresh node's block at the validator's head has the same hash and state root",
                     passed: vHash == fHash && vRoot == fRoot && vHash != "?",
                     detail: "height \(height): validator \(vHash) root \(vRoot); fresh node \(fHash) root \(fRoot)")
    }

    private func nodeKey(_ keygen: String) throws -> String {
        guard let key = keygen.split(separator: ":").last, key.count == 68 else {
            throw BenchError("cannot read the fresh node's key from `quorate-node keygen`: \(keygen)")
        }
        return String(key)
    }

    private func fail(_ reason: String, _ node: NodeProcess) throws -> Int32 {
        note("quorate-bench: \(reason)\n\(node.name) log (last lines):\n\(node.tailOfLog())")
        if let path = options.jsonOut {
            try write(["tool": "quorate-bench", "mode": "sync", "complete": false, "failure": .string(reason)], to: path)
        }
        return 1
    }

    private func write(_ json: JSON, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(json.serialized() + [0x0a])) else {
            throw BenchError("cannot write the JSON result to \(path)")
        }
    }
}

/// The result of a sync run: the table and the JSON.
struct SyncReport {
    let options: BenchOptions
    let machine: MachineInfo
    let loadAverage1m: Double?
    let built: SyncCommand.BuiltChain
    let targetHeight: UInt64
    let elapsedS: Double
    let freshCpuS: Double?
    let freshRssBytes: Int?
    let freshMaxRssBytes: Int
    let freshDataDirBytes: Int

    let check: Check

    var transfersPerS: Double { Double(built.transfers) / elapsedS }
    var blocksPerS: Double { Double(targetHeight) / elapsedS }

    func table() -> String {
        let m = machine
        var out = """
        quorate-bench: sync of a fresh non-voting node from one validator started by the bench, \(grouped(built.transfers)) transfers
        machine: \(m.cores) cores, \(m.cpuModel), load average \(ReportTable.number(loadAverage1m, "%.2f")) at the sync's start

        """
        let rows = [
            ("chain", "\(grouped(built.transfers)) transfers in \(grouped(Int(targetHeight))) blocks, built in \(String(format: "%.1f", built.buildS)) s at \(ReportTable.rate(built.committedPerS)) tx/s"),
            ("sync elapsed s (fresh node start to head)", String(format: "%.1f", elapsedS)),
            ("sync transfers/s", "\(ReportTable.rate(transfersPerS))  (target >= 40,000)"),
            ("sync blocks/s", String(format: "%.1f", blocksPerS)),
            ("fresh node CPU s", ReportTable.number(freshCpuS, "%.1f")),
            ("fresh node RSS at end / max sampled MB", "\(ReportTable.mb(freshRssBytes)) / \(ReportTable.mb(freshMaxRssBytes))"),
            ("fresh node data dir MB (per transfer)", "\(ReportTable.mb(freshDataDirBytes)) (\(built.transfers > 0 ? String(format: "%.0f bytes", Double(freshDataDirBytes) / Double(built.transfers)) : "n/a"))"),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        for (name, value) in rows { out += name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value + "\n" }
        out += "check \(check.passed ? "passed" : "FAILED"): \(check.name): \(check.detail)\n"
        return out
    }

    func json() -> JSON {
        let n = ReportJSON.num, i = ReportJSON.int
        return [
            "tool": "quorate-bench", "mode": "sync", "complete": true, "failure": .null,
            "verificationPassed": .bool(check.passed),
            "machine": ["cores": i(machine.cores), "cpuModel": .string(machine.cpuModel), "memoryBytes": i(machine.memoryBytes),
                        "loadAverage1mAtStart": n(loadAverage1m)],
            "chain": ["transfers": i(built.transfers), "height": i(Int(targetHeight)), "buildS": n(built.buildS),
                      "committedPerS": n(built.committedPerS)],
            "sync": ["elapsedS": n(elapsedS), "transfersPerS": n(transfersPerS), "blocksPerS": n(blocksPerS)],
            "freshNode": ["cpuS": n(freshCpuS), "rssBytes": freshRssBytes.map(i) ?? .null, "maxSampledRssBytes": i(freshMaxRssBytes),
                          "dataDirBytes": i(freshDataDirBytes)],
            "checks": [["name": .string(check.name), "passed": .bool(check.passed), "detail": .string(check.detail)]],
        ]
    }
}
