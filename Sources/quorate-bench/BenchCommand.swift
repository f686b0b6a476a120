import Foundation
import QuorateCore
import QuorateRPC

/// One benchmark run from start to report. Returns the exit status: 0 when the run completed
/// (and its checks passed), 1 otherwise.
struct BenchCommand {
    let options: BenchOptions

    /// A fixed-rate run that submitted or committed less than this share of the rate did not
    /// sustain it (the result says so in a note).
    static let sustainedShare = 0.95

    func run() throws -> Int32 {
        if options.mode == .sync { return try SyncCommand(options: options).run() }
        let accounts = BenchAccounts.derive(seed: options.seed, count: options.accounts)
        var node: NodeProcess?
        var testnet: Testnet?
        defer {
            node?.finish()
            testnet?.stop()
        }
        let target: Target
        switch options.mode {
        case .testnet:
            if let dir = options.testnetDir {
                let running = try Testnet(runningIn: dir, tool: options.testnetTool)
                testnet = running
                target = Target(testnet: running, funders: { try BenchAccounts.load(keystoreDir: running.keystoreDir, passwordFile: running.passwordFile) })
            } else {
                let started = try Testnet(tool: options.testnetTool, nodeBinary: options.nodeBinary, validators: options.validators,
                                          funding: accounts.map(\.address), workDir: options.workDir, keep: options.keep)
                testnet = started
                target = Target(testnet: started, funders: nil)
            }
        default:
            if let given = options.rpcURLs.first {
                try Reachability.check(given)
                target = Target(given: given, options: options)
            } else {
                let started = try NodeProcess(binary: options.nodeBinary, workDir: options.workDir, keep: options.keep)
                node = started
                target = Target(started: started, url: try started.create(funding: accounts.map(\.address)))
            }
        }
        let url = target.urls[0]
        let reader = try ChainReader(url: url)
        let plan = try makePlan(reader, accounts: accounts, target: target)
        let transfers = try Presigner.sign(plan)
        let balancesBefore = options.verify ? try reader.balances(accounts.map(\.address)) : []
        let tokenBalancesBefore = try plan.token.flatMap { token in
            options.verify ? try ERC20Setup.balances(token, accounts.map(\.address), reader: reader) : nil
        } ?? []
        let startHeight = try reader.height()
        let before = target.nodes.indices.map { i in
            NodeSample.take(pid: target.nodes[i].pid, dataDir: target.nodes[i].dataDir, url: i < target.urls.count ? target.urls[i] : nil)
        }
        let benchCpuBefore = ProcessStats.cpuSeconds(pid: getpid())
        let machineCpuBefore = MachineCPU.busySeconds()
        let loadAverage = MachineCPU.loadAverage1m()
        let load = LoadRun(options: options, urls: target.urls, startHeight: startHeight, nodePids: target.nodes.compactMap(\.pid),
                           nodeAlive: target.alive)
        let result: LoadResult
        switch load.execute(transfers) {
        case .finished(let finished): result = finished
        case .abandoned(let reason, let submitted, let committed):
            return try abandoned(reason, submitted: submitted, committed: committed, url: url)
        }
        if Interruption.shared.isInterrupted { return 130 }  // the signal handler reports and exits
        let after = target.nodes.indices.map { i in
            NodeSample.take(pid: target.nodes[i].pid, dataDir: target.nodes[i].dataDir, url: i < target.urls.count ? target.urls[i] : nil)
        }
        let benchCpu = zipOptional(benchCpuBefore, ProcessStats.cpuSeconds(pid: getpid())).map { $1 - $0 }
        let machineCpu = zipOptional(machineCpuBefore, MachineCPU.busySeconds()).map { $1 - $0 }
        let perNode = target.nodes.indices.map { i in
            NodeFigures.between(before[i], after[i], maxRunRssBytes: i < result.maxNodeRssBytes.count ? result.maxNodeRssBytes[i] : nil)
        }
        let figures = RunFigures(result, nodes: zip(target.nodes.map(\.name), perNode).map { ($0, $1) },
                                 benchCpuS: benchCpu, machineCpuS: machineCpu)
        // The balance check knows plain transfers only; an erc20 run checks that every call committed.
        let checks = options.verify && options.workload == .transfers && result.failure == nil
            ? try Verifier(reader: reader, result: result, accounts: accounts, balancesBefore: balancesBefore).run() : nil
        let report = BenchReport(options: options, machine: .read(), loadAverage1m: loadAverage, url: url, target: target.description,
                                 startedNode: target.startedByBench, senders: plan.senders.count, figures: figures, checks: checks,
                                 failure: result.failure,
                                 notes: notes(result, figures, node: node, target: target) + (try erc20Notes(transfers, reader, result, tokenBalancesBefore)))
        print(ReportTable.render(report), terminator: "")
        if let path = options.jsonOut { try ReportJSON.write(report, to: path) }
        return report.complete && report.verificationPassed != false ? 0 : 1
    }

    /// With `--workload erc20 --verify`: every token transfer committed with status 1.
    private func erc20Notes(_ transfers: SignedTransfers, _ reader: ChainReader, _ result: LoadResult,
                            _ tokenBalancesBefore: [UInt256]) throws -> [String] {
        guard options.workload == .erc20, options.verify, result.failure == nil, let token = transfers.plan.token else { return [] }
        let wrong = try ERC20Setup.wrongBalances(transfers.plan, submitted: transfers.count, startBalances: tokenBalancesBefore,
                                                 reader: reader)
        _ = token
        return [wrong == 0 ? "erc20: every account's token balance is what its \(grouped(transfers.count / max(1, transfers.plan.senders.count))) transfers leave (all calls succeeded)"
                           : "erc20: \(grouped(wrong)) accounts hold a token balance the transfers do not explain: some calls failed"]
    }

    /// A run the node left hanging: no figures, only what happened.
    private func abandoned(_ reason: String, submitted: Int, committed: Int, url: String) throws -> Int32 {
        print("quorate-bench: run against \(url) abandoned after \(grouped(submitted)) transfers submitted and \(grouped(committed)) committed: \(reason)")
        if let path = options.jsonOut {
            let json: JSON = ["tool": "quorate-bench", "complete": false, "failure": .string(reason),
                              "transfers": ["submitted": ReportJSON.int(submitted), "committed": ReportJSON.int(committed)]]
            guard FileManager.default.createFile(atPath: path, contents: Data(json.serialized() + [0x0a])) else {
                throw BenchError("cannot write the JSON result to \(path)")
            }
        }
        return 1
    }

    /// Chain id, fee and nonces from the node; on a chain the bench did not make, funds checked first.
    private func makePlan(_ reader: ChainReader, accounts: [BenchAccount], target: Target) throws -> TransferPlan {
        let chainId = try reader.chainId()
        let maxFee = try reader.gasPrice()
        let value = UInt256(1)
        let count = options.presignCount
        let perSender = UInt256(UInt64((count + accounts.count - 1) / accounts.count))
        let need = (value + maxFee * UInt256(TransferPlan.gasLimit)) * perSender
        if !target.genesisFundsAccounts {
            let funders = try target.funders?()
            try AccountFunding(reader: reader, chainId: chainId, maxFeePerGas: maxFee)
                .ensureFunded(accounts, needWei: need, funders: funders, seed: options.seed)
        }
        let token = options.workload == .erc20
            ? try ERC20Setup.prepare(reader: reader, accounts: accounts, chainId: chainId, maxFee: maxFee) : nil
        let nonces = try reader.nonces(accounts.map(\.address), tag: "pending")
        var plan = TransferPlan(chainId: chainId, senders: accounts, startNonces: nonces, maxFeePerGas: maxFee,
                                valueWei: token == nil ? value : .zero, count: count)
        plan.token = token
        return plan
    }

    private func notes(_ result: LoadResult, _ f: RunFigures, node: NodeProcess?, target: Target) -> [String] {
        var out = [String]()
        if let rate = options.ratePerS, f.submittedPerS < rate * BenchCommand.sustainedShare {
            out.append("could not sustain --rate \(rateText(rate)): submitted \(grouped(Int(f.submittedPerS)))/s and committed \(ReportTable.rate(f.blocks.committedPerS))/s; the node (or the bench, sharing its cores) is the limit; the run completed")
        } else if let rate = options.ratePerS, let committed = f.blocks.committedPerS, committed < rate * BenchCommand.sustainedShare {
            out.append("could not sustain --rate \(rateText(rate)): the transfers went out on schedule but only \(ReportTable.rate(committed))/s committed, so a backlog built up and the latencies measure it; the node (or network) is the limit; the run completed")
        }
        if result.ranOutEarly {
            out.append(String(format: "the %@ pre-signed transfers ran out after %.1f s of the %@ s asked: the node was faster than --presign-rate %@; rerun with a higher one",
                              grouped(f.presigned), result.submitEndS, rateText(options.durationS), rateText(options.presignRatePerS)))
        }
        if let other = f.otherCpuS, other > 1, f.drainEndS > 0, other / f.drainEndS > 0.1 {
            let who = target.nodes.contains(where: { $0.pid == nil }) ? "other processes (other validators of a local network included)" : "other processes"
            out.append(String(format: "%@ used %.2f cores during the run (%.1f CPU s): on a shared machine the figures understate what the node does alone", who, other / f.drainEndS, other))
        }
        if result.failure != nil, let node { out.append("node log (last lines):\n" + node.tailOfLog()) }
        return out
    }
}

/// The nodes a run submits to and measures, and how its bench accounts get their funds.
struct Target {
    struct Node {
        let name: String
        let pid: Int32?
        let dataDir: String?
    }

    let urls: [String]
    let nodes: [Node]
    let description: String
    let startedByBench: Bool
    /// True when the bench made the genesis that funds its accounts.
    let genesisFundsAccounts: Bool
    /// Funded keystore accounts to top the bench accounts up from (nil: none given).
    let funders: (() throws -> [BenchAccount])?
    /// False once a node the run depends on has exited.
    let alive: () -> Bool

    init(started: NodeProcess, url: String) {
        urls = [url]
        nodes = [Node(name: "node", pid: started.pid, dataDir: started.dataDir)]
        description = "single validator started by the bench"
        startedByBench = true
        genesisFundsAccounts = true
        funders = nil
        alive = { started.isRunning }
    }

    init(given url: String, options: BenchOptions) {
        urls = [url]
        nodes = [Node(name: "node", pid: options.nodePid, dataDir: options.nodeDataDir)]
        description = "node at \(url)"
        startedByBench = false
        genesisFundsAccounts = false
        funders = options.keystoreDir.map { dir in { try BenchAccounts.load(keystoreDir: dir, passwordFile: options.passwordFile!) } }
        let pid = options.nodePid
        alive = { pid.map { kill($0, 0) == 0 } ?? true }
    }

    /// `funders`: nil when the bench started the testnet with its accounts in the genesis.
    init(testnet: Testnet, funders: (() throws -> [BenchAccount])?) {
        urls = testnet.members.map(\.url)
        nodes = testnet.members.map { Node(name: $0.name, pid: $0.pid, dataDir: $0.dataDir) }
        description = "\(testnet.members.count) validators of tools/testnet \(testnet.startedByBench ? "started by the bench" : "in \(testnet.dir)"), transfers spread over all"
        startedByBench = testnet.startedByBench
        genesisFundsAccounts = funders == nil
        self.funders = funders
        alive = { testnet.allRunning }
    }
}
