/// Submit-to-commit latency percentiles, in milliseconds (nearest rank).
struct LatencyFigures: Sendable {
    let count: Int
    let p50Ms: Double, p90Ms: Double, p99Ms: Double, maxMs: Double, meanMs: Double

    init?(_ samplesMs: [Double]) {
        guard !samplesMs.isEmpty else { return nil }
        let sorted = samplesMs.sorted()
        func rank(_ p: Double) -> Double { sorted[min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))] }
        count = sorted.count
        p50Ms = rank(0.50); p90Ms = rank(0.90); p99Ms = rank(0.99)
        maxMs = sorted.last!
        meanMs = sorted.reduce(0, +) / Double(sorted.count)
    }
}

/// Throughput as the blocks show it.
struct BlockFigures: Sendable {
    let blocks: Int
    let committed: Int
    /// Transfers of every block after the first, over the time between the first and last block
    /// timestamps (each block's transfers belong to the interval since its parent).
    let committedPerS: Double?
    let blocksPerS: Double?
    let meanTransactionsPerBlock: Double
    let maxTransactionsPerBlock: Int
    let firstTimestampMs: UInt64?
    let lastTimestampMs: UInt64?

    init(_ records: [BlockRecord]) {
        let run = records.filter { $0.benchTransactionCount > 0 }
        blocks = run.count
        committed = run.reduce(0) { $0 + $1.benchTransactionCount }
        firstTimestampMs = run.first?.timestampMs
        lastTimestampMs = run.last?.timestampMs
        if let first = run.first, let last = run.last, last.timestampMs > first.timestampMs {
            let spanS = Double(last.timestampMs - first.timestampMs) / 1000
            committedPerS = Double(committed - first.benchTransactionCount) / spanS
            blocksPerS = Double(run.count - 1) / spanS
        } else {
            committedPerS = nil
            blocksPerS = nil
        }
        meanTransactionsPerBlock = run.isEmpty ? 0 : Double(committed) / Double(run.count)
        maxTransactionsPerBlock = run.map(\.benchTransactionCount).max() ?? 0
    }
}

/// The node's own cost: CPU, memory and disk over the run.
struct NodeFigures: Sendable {
    let pid: Int32?
    let cpuS: Double?
    let rssBytes: Int?
    /// Largest RSS of the once-a-second samples during the run.
    let maxRunRssBytes: Int?
    /// The kernel's high-water mark since the process started (includes unlocking the
    /// validator key: scrypt with n = 2^18 takes 256 MiB for a moment).
    let peakRssBytes: Int?
    let dataDirGrowthBytes: Int?
    /// CPU per thread over the run, busiest first.
    let threads: [ThreadCPU]
    /// CPU seconds per stage over the run, from the node's own counters (nil: not exposed).
    var stageCpuS: [(stage: String, seconds: Double)]? = nil

    static func between(_ before: NodeSample?, _ after: NodeSample?, maxRunRssBytes: Int?) -> NodeFigures {
        NodeFigures(pid: after?.pid,
                    cpuS: zipOptional(before?.stats?.cpuS, after?.stats?.cpuS).map { $1 - $0 },
                    rssBytes: after?.stats?.rssBytes,
                    maxRunRssBytes: maxRunRssBytes.map { max($0, after?.stats?.rssBytes ?? 0) },
                    peakRssBytes: after?.stats?.peakRssBytes,
                    dataDirGrowthBytes: zipOptional(before?.dataDirBytes, after?.dataDirBytes).map { $1 - $0 },
                    threads: ThreadCPU.delta(before?.threads ?? [], after?.threads ?? []),
                    stageCpuS: StageScrape.delta(before?.stages, after?.stages))
    }
}

extension NodeFigures {
    /// Several nodes as one: CPU and disk growth summed, memory the largest node's.
    static func combined(_ all: [NodeFigures]) -> NodeFigures {
        guard all.count > 1 else { return all.first ?? NodeFigures.between(nil, nil, maxRunRssBytes: nil) }
        func sum(_ v: [Double?]) -> Double? { v.contains { $0 == nil } ? nil : v.reduce(0) { $0 + $1! } }
        func largest(_ v: [Int?]) -> Int? { v.compactMap { $0 }.max() }
        let growth = all.map(\.dataDirGrowthBytes)
        return NodeFigures(pid: nil, cpuS: sum(all.map(\.cpuS)), rssBytes: largest(all.map(\.rssBytes)),
                           maxRunRssBytes: largest(all.map(\.maxRunRssBytes)), peakRssBytes: largest(all.map(\.peakRssBytes)),
                           dataDirGrowthBytes: growth.contains { $0 == nil } ? nil : growth.reduce(0) { $0 + $1! },
                           threads: [])
    }
}

/// A node's process figures and data-directory size at one moment.
struct NodeSample: Sendable {
    let pid: Int32?
    let stats: ProcessStats?
    let dataDirBytes: Int?
    let threads: [ThreadCPU]
    let stages: [(stage: String, seconds: Double)]?

    static func take(pid: Int32?, dataDir: String?, url: String?) -> NodeSample {
        NodeSample(pid: pid, stats: pid.flatMap(ProcessStats.read), dataDirBytes: dataDir.map(DirectorySize.bytes),
                   threads: pid.map(ThreadCPU.read) ?? [], stages: url.flatMap(StageScrape.read))
    }
}

func zipOptional<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}

/// Everything the report shows.
struct RunFigures: Sendable {
    let presigned: Int
    let submitted: Int
    let committed: Int
    let submitEndS: Double
    let drainEndS: Double
    let submittedPerS: Double
    /// Committed transfers over the time from the start to the last block seen (wall clock).
    let wallClockCommittedPerS: Double
    let poolFullRetries: Int
    let foreignTransactions: Int
    let blocks: BlockFigures
    let latency: LatencyFigures?
    /// All nodes as one (`NodeFigures.combined`); the node itself in single mode.
    let node: NodeFigures
    /// Each node by name.
    let nodes: [(name: String, figures: NodeFigures)]
    let benchCpuS: Double?
    /// CPU seconds the whole machine spent over the run; minus node and bench, other load.
    let machineCpuS: Double?

    init(_ result: LoadResult, nodes: [(String, NodeFigures)], benchCpuS: Double?, machineCpuS: Double?) {
        let state = result.state
        presigned = state.transfers.count
        submitted = state.accepted.count
        let committed = state.committed.count
        self.committed = committed
        submitEndS = result.submitEndS
        drainEndS = result.drainEndS
        submittedPerS = result.submitEndS > 0 ? Double(submitted) / result.submitEndS : 0
        let lastSeenS = result.watcher.blocks.last { $0.benchTransactionCount > 0 }.map { state.stopwatch.seconds(atNs: $0.observedNs) }
        wallClockCommittedPerS = lastSeenS.map { $0 > 0 ? Double(committed) / $0 : 0 } ?? 0
        poolFullRetries = state.poolFullRetries.count
        foreignTransactions = result.watcher.foreignTransactions
        blocks = BlockFigures(result.watcher.blocks)
        latency = LatencyFigures(RunFigures.latenciesMs(state))
        self.nodes = nodes.map { (name: $0.0, figures: $0.1) }
        node = NodeFigures.combined(nodes.map(\.1))
        self.benchCpuS = benchCpuS
        self.machineCpuS = machineCpuS
    }

    /// CPU seconds used by processes other than the node and the bench during the run.
    var otherCpuS: Double? {
        guard let machineCpuS, let benchCpuS else { return nil }
        return max(0, machineCpuS - benchCpuS - (node.cpuS ?? 0))
    }

    static func latenciesMs(_ state: RunState) -> [Double] {
        var out = [Double]()
        out.reserveCapacity(state.committed.count)
        for i in 0..<state.transfers.count {
            let sent = state.submitNs[i], seen = state.commitNs[i]
            if sent > 0, seen > 0 { out.append(Double(Int64(bitPattern: seen &- sent)) / 1e6) }
        }
        return out
    }
}
