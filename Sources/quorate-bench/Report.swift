import Foundation

/// Everything a finished run reports.
struct BenchReport {
    let options: BenchOptions
    let machine: MachineInfo
    let loadAverage1m: Double?
    let url: String
    /// What was measured, for the header ("single validator started by the bench", ...).
    let target: String
    let startedNode: Bool
    let senders: Int
    let figures: RunFigures
    let checks: [Check]?
    let failure: String?
    let notes: [String]

    var verificationPassed: Bool? { checks.map { $0.allSatisfy(\.passed) } }
    var complete: Bool { failure == nil }

    var loadName: String {
        let rate = options.ratePerS.map { "fixed \(rateText($0)) tx/s" } ?? "maximum rate"
        let amount = options.transactions.map { "\(grouped($0)) transfers" } ?? "\(rateText(options.durationS)) s"
        return "\(rate), \(amount)"
    }
}

/// The table on stdout.
enum ReportTable {
    static func render(_ r: BenchReport) -> String {
        let f = r.figures
        var rows: [(String, String, String)] = []
        func row(_ name: String, _ value: String, _ target: String = "") { rows.append((name, value, target)) }
        row("transfers submitted / committed", "\(grouped(f.submitted)) / \(grouped(f.committed))", "pre-signed \(grouped(f.presigned))")
        let several = f.nodes.count > 1
        row("committed transfers/s (block timestamps)", rate(f.blocks.committedPerS), several ? "4 validators >= 8,000" : "one validator >= 25,000")
        row("committed transfers/s (wall clock)", rate(f.wallClockCommittedPerS))
        row("submitted transfers/s", rate(f.submittedPerS), r.options.ratePerS.map { "target \(rateText($0))" } ?? "maximum")
        row("blocks / blocks per s", "\(f.blocks.blocks) / \(number(f.blocks.blocksPerS, "%.2f"))")
        row("transfers per block mean / max", "\(number(f.blocks.meanTransactionsPerBlock, "%.0f")) / \(grouped(f.blocks.maxTransactionsPerBlock))")
        if let l = f.latency {
            row("latency p50 / p90 / p99 ms", String(format: "%.1f / %.1f / %.1f", l.p50Ms, l.p90Ms, l.p99Ms), "4 validators: <= 20 / - / <= 100 at 10 tx/s")
            row("latency max / mean ms", String(format: "%.1f / %.1f", l.maxMs, l.meanMs))
        }
        row(several ? "CPU s of all nodes (per transfer)" : "node CPU s (per transfer)", nodeCpu(f), "")
        if let busiest = f.node.threads.first, f.committed > 0, busiest.cpuS > 0 {
            let us = busiest.cpuS * 1e6 / Double(f.committed)
            row("busiest node thread CPU s (per transfer)", String(format: "%.1f (%.1f us)", busiest.cpuS, us),
                "one core caps it at \(grouped(Int(1e6 / us))) tx/s")
        }
        row(several ? "largest node RSS at end / max during run MB" : "node RSS at end / max during run MB",
            "\(mb(f.node.rssBytes)) / \(mb(f.node.maxRunRssBytes))", "<= 200 MB per node at the end")
        row(several ? "data dir growth of all nodes (per transfer)" : "data dir growth (per transfer)", diskGrowth(f.node, f),
            several ? "each node <= 300 bytes/transfer" : "<= 300 bytes/transfer")
        if several {
            for (name, n) in f.nodes {
                row("\(name): CPU s / RSS at end MB / data dir growth",
                    "\(number(n.cpuS, "%.1f")) / \(mb(n.rssBytes)) / \(diskGrowth(n, f))")
            }
        }
        stageRows(f).forEach { row($0.0, $0.1) }
        row("pool-full retries", grouped(f.poolFullRetries))
        row("bench CPU s / other processes CPU s", "\(number(f.benchCpuS, "%.1f")) / \(number(f.otherCpuS, "%.1f"))")
        return header(r) + format(rows) + footer(r)
    }

    private static func header(_ r: BenchReport) -> String {
        let m = r.machine
        return """
        quorate-bench: \(r.target), \(r.loadName)
        machine: \(m.cores) cores, \(m.cpuModel), \(String(format: "%.1f", Double(m.memoryBytes) / 1_073_741_824)) GiB, load average \(number(r.loadAverage1m, "%.2f")) at the start; \(r.senders) sending accounts, \(r.options.threads) client threads

        """
    }

    private static func footer(_ r: BenchReport) -> String {
        var out = ""
        for check in r.checks ?? [] { out += "check \(check.passed ? "passed" : "FAILED"): \(check.name): \(check.detail)\n" }
        for n in r.notes { out += "note: \(n)\n" }
        if let failure = r.failure { out += "run incomplete: \(failure)\n" }
        return out
    }

    private static func format(_ rows: [(String, String, String)]) -> String {
        let w0 = rows.map(\.0.count).max() ?? 0, w1 = rows.map(\.1.count).max() ?? 0
        return rows.map { r in
            let line = r.0.padding(toLength: w0, withPad: " ", startingAt: 0) + "  " + r.1.padding(toLength: w1, withPad: " ", startingAt: 0)
            return (r.2.isEmpty ? line : line + "  (" + r.2 + ")").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
    }

    static func rate(_ v: Double?) -> String { v.map { grouped(Int($0.rounded())) } ?? "n/a" }
    static func number(_ v: Double?, _ format: String) -> String { v.map { String(format: format, $0) } ?? "n/a" }
    static func mb(_ bytes: Int?) -> String { bytes.map { String(format: "%.1f", Double($0) / 1e6) } ?? "n/a" }

    private static func nodeCpu(_ f: RunFigures) -> String {
        guard let cpu = f.node.cpuS else { return "n/a (give --node-pid for a node the bench did not start)" }
        let per = f.committed > 0 ? String(format: "%.1f us", cpu * 1e6 / Double(f.committed)) : "n/a"
        return String(format: "%.1f (%@; %.2f cores)", cpu, per, f.drainEndS > 0 ? cpu / f.drainEndS : 0)
    }

    /// One row per stage: µs of CPU per committed transfer, each node's figure (` / ` between
    /// nodes), then what no stage counted (the node's CPU minus the stages' sum).
    private static func stageRows(_ f: RunFigures) -> [(String, String)] {
        let nodes = f.nodes.map(\.figures)
        guard f.committed > 0, let first = nodes.first?.stageCpuS else { return [] }
        let per = { (s: Double) in String(format: "%.1f", s * 1e6 / Double(f.committed)) }
        var rows = first.map { stage in
            ("stage \(stage.stage) us per transfer",
             nodes.map { n in n.stageCpuS?.first { $0.stage == stage.stage }.map { per($0.seconds) } ?? "n/a" }.joined(separator: " / "))
        }
        rows.append(("outside the stages us per transfer", nodes.map { n in
            guard let cpu = n.cpuS, let stages = n.stageCpuS else { return "n/a" }
            return per(cpu - stages.reduce(0) { $0 + $1.seconds })
        }.joined(separator: " / ")))
        return rows
    }

    private static func diskGrowth(_ n: NodeFigures, _ f: RunFigures) -> String {
        guard let growth = n.dataDirGrowthBytes else { return "n/a (give --node-datadir)" }
        let per = f.committed > 0 ? String(format: "%.0f bytes", Double(growth) / Double(f.committed)) : "n/a"
        return "\(mb(growth)) MB (\(per))"
    }
}
