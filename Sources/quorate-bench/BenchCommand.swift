import Foundation
import QuorateCore
import QuorateRPC

/// One benchmark run from start to report. Returns the exit status: 0 when the run completed
/// (and its checks passed), 1 otherwise.
struct BenchCommand {
    let options: BenchOptions

    func run() throws -> Int32 {
        let accounts = BenchAccounts.derive(seed: options.seed, count: options.accounts)
        var node: NodeProcess?
        defer { node?.finish() }
        let url: String
        if let given = options.rpcURLs.first {
            try Reachability.check(given)
            url = given
        } else {
            let started = try NodeProcess(binary: options.nodeBinary, workDir: options.workDir, keep: options.keep)
            node = started
            url = try started.create(funding: accounts.map(\.address))
        }
        let reader = try ChainReader(url: url)
        let plan = try makePlan(reader, accounts: accounts)
        let transfers = try Presigner.sign(plan)
        let balancesBefore = options.verify ? try reader.balances(accounts.map(\.address)) : []
        let startHeight = try reader.height()
        let pid = node?.pid ?? options.nodePid
        let dataDir = node?.dataDir ?? options.nodeDataDir
        let before = NodeSample.take(pid: pid, dataDir: dataDir)
        let benchCpuBefore = ProcessStats.cpuSeconds(pid: getpid())
        let machineCpuBefore = MachineCPU.busySeconds()
        let loadAverage = MachineCPU.loadAverage1m()
        let load = LoadRun(options: options, url: url, startHeight: startHeight, nodePid: pid,
                           nodeAlive: { node?.isRunning ?? pid.map { kill($0, 0) == 0 } ?? true })
        let result: LoadResult
        switch load.execute(transfers) {
        case .finished(let finished): result = finished
        case .abandoned(let reason, let submitted, let committed):
            return try abandoned(reason, submitted: submitted, committed: committed, url: url)
        }
        if Interruption.shared.isInterrupted { return 130 }  // the signal handler reports and exits
        let after = NodeSample.take(pid: pid, dataDir: dataDir)
        let benchCpu = zipOptional(benchCpuBefore, ProcessStats.cpuSeconds(pid: getpid())).map { $1 - $0 }
        let machineCpu = zipOptional(machineCpuBefore, MachineCPU.busySeconds()).map { $1 - $0 }
        let figures = RunFigures(result, node: .between(before, after, maxRunRssBytes: result.maxNodeRssBytes),
                                 benchCpuS: benchCpu, machineCpuS: machineCpu)
        let checks = options.verify && result.failure == nil
            ? try Verifier(reader: reader, result: result, accounts: accounts, balancesBefore: balancesBefore).run() : nil
        let report = BenchReport(options: options, machine: .read(), loadAverage1m: loadAverage, url: url, startedNode: node != nil,
                                 senders: plan.senders.count, figures: figures, checks: checks, failure: result.failure,
                                 notes: notes(result, figures, node: node))
        print(ReportTable.render(report), terminator: "")
        if let path = options.jsonOut { try ReportJSON.write(report, to: path) }
        return report.complete && report.verificationPassed != false ? 0 : 1
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
    private func makePlan(_ reader: ChainReader, accounts: [BenchAccount]) throws -> TransferPlan {
        let chainId = try reader.chainId()
        let maxFee = try reader.gasPrice()
        let value = UInt256(1)
        let count = options.presignCount
        let perSender = UInt256(UInt64((count + accounts.count - 1) / accounts.count))
        let need = (value + maxFee * UInt256(TransferPlan.gasLimit)) * perSender
        if !options.rpcURLs.isEmpty {
            let funders = try options.keystoreDir.map { try BenchAccounts.load(keystoreDir: $0, passwordFile: options.passwordFile!) }
            try AccountFunding(reader: reader, chainId: chainId, maxFeePerGas: maxFee)
                .ensureFunded(accounts, needWei: need, funders: funders, seed: options.seed)
        }
        let nonces = try reader.nonces(accounts.map(\.address), tag: "pending")
        return TransferPlan(chainId: chainId, senders: accounts, startNonces: nonces, maxFeePerGas: maxFee,
                            valueWei: value, count: count)
    }

    private func notes(_ result: LoadResult, _ f: RunFigures, node: NodeProcess?) -> [String] {
        var out = [String]()
        if let rate = options.ratePerS, f.submittedPerS < rate * 0.95 {
            out.append("could not sustain --rate \(rateText(rate)): submitted \(grouped(Int(f.submittedPerS)))/s and committed \(ReportTable.rate(f.blocks.committedPerS))/s; the node (or the bench, sharing its cores) is the limit; the run completed")
        }
        if result.ranOutEarly {
            out.append(String(format: "the %@ pre-signed transfers ran out after %.1f s of the %@ s asked: the node was faster than --presign-rate %@; rerun with a higher one",
                              grouped(f.presigned), result.submitEndS, rateText(options.durationS), rateText(options.presignRatePerS)))
        }
        if let other = f.otherCpuS, other > 1, f.drainEndS > 0, other / f.drainEndS > 0.1 {
            let who = node == nil ? "other processes (other validators of a local network included)" : "other processes"
            out.append(String(format: "%@ used %.2f cores during the run (%.1f CPU s): on a shared machine the figures understate what the node does alone", who, other / f.drainEndS, other))
        }
        if result.failure != nil, let node { out.append("node log (last lines):\n" + node.tailOfLog()) }
        return out
    }
}
