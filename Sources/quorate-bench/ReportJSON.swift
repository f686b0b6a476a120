import Foundation
import QuorateRPC

/// The JSON result (`--json-out`): the same figures as the table, names with units last.
enum ReportJSON {
    static func render(_ r: BenchReport) -> JSON {
        let f = r.figures
        return [
            "tool": "quorate-bench",
            "complete": .bool(r.complete),
            "failure": r.failure.map { .string($0) } ?? .null,
            "verificationPassed": r.verificationPassed.map { .bool($0) } ?? .null,
            "machine": ["cores": int(r.machine.cores), "cpuModel": .string(r.machine.cpuModel), "memoryBytes": int(r.machine.memoryBytes),
                        "loadAverage1mAtStart": num(r.loadAverage1m), "otherProcessesCpuS": num(f.otherCpuS)],
            "config": config(r),
            "transfers": ["presigned": int(f.presigned), "submitted": int(f.submitted), "committed": int(f.committed),
                          "poolFullRetries": int(f.poolFullRetries), "foreignTransactions": int(f.foreignTransactions)],
            "throughput": throughput(f),
            "latencyMs": f.latency.map(latency) ?? .null,
            "node": node(f.node, f),
            "nodes": .array(f.nodes.map { name, n in
                guard case .object(let members) = node(n, f) else { return .null }
                return .object([("name", .string(name))] + members)
            }),
            "bench": ["cpuS": num(f.benchCpuS)],
            "checks": r.checks.map { .array($0.map { ["name": .string($0.name), "passed": .bool($0.passed), "detail": .string($0.detail)] }) } ?? .null,
            "notes": .array(r.notes.map { .string($0) }),
        ]
    }

    private static func config(_ r: BenchReport) -> JSON {
        let o = r.options
        return ["mode": .string(o.mode.rawValue), "rpc": .string(r.url), "target": .string(r.target), "startedNode": .bool(r.startedNode),
                "ratePerS": num(o.ratePerS), "durationS": o.transactions == nil ? num(o.durationS) : .null,
                "transactions": o.transactions.map(int) ?? .null, "senders": int(r.senders), "threads": int(o.threads),
                "batchMax": int(o.batchMax), "windowMax": int(o.windowMax), "pollIntervalMs": int(o.pollIntervalMs),
                "quick": .bool(o.quick), "verify": .bool(o.verify)]
    }

    private static func throughput(_ f: RunFigures) -> JSON {
        ["committedPerS": num(f.blocks.committedPerS), "wallClockCommittedPerS": num(f.wallClockCommittedPerS),
         "submittedPerS": num(f.submittedPerS), "submitEndS": num(f.submitEndS), "drainEndS": num(f.drainEndS),
         "blocks": int(f.blocks.blocks), "blocksPerS": num(f.blocks.blocksPerS),
         "meanTransactionsPerBlock": num(f.blocks.meanTransactionsPerBlock), "maxTransactionsPerBlock": int(f.blocks.maxTransactionsPerBlock),
         "firstBlockTimestampMs": f.blocks.firstTimestampMs.map { int(Int($0)) } ?? .null,
         "lastBlockTimestampMs": f.blocks.lastTimestampMs.map { int(Int($0)) } ?? .null]
    }

    private static func latency(_ l: LatencyFigures) -> JSON {
        ["count": int(l.count), "p50": num(l.p50Ms), "p90": num(l.p90Ms), "p99": num(l.p99Ms), "max": num(l.maxMs), "mean": num(l.meanMs)]
    }

    private static func node(_ n: NodeFigures, _ f: RunFigures) -> JSON {
        let perTransfer = { (v: Double?) -> JSON in f.committed > 0 ? num(v.map { $0 / Double(f.committed) }) : .null }
        return ["pid": n.pid.map { int(Int($0)) } ?? .null, "cpuS": num(n.cpuS),
                "cpuUsPerTransfer": perTransfer(n.cpuS.map { $0 * 1e6 }),
                "rssBytes": n.rssBytes.map(int) ?? .null, "maxRunRssBytes": n.maxRunRssBytes.map(int) ?? .null,
                "peakRssSinceStartBytes": n.peakRssBytes.map(int) ?? .null,
                "dataDirGrowthBytes": n.dataDirGrowthBytes.map(int) ?? .null,
                "threadsCpuS": .array(n.threads.prefix(6).map { ["tid": int(Int($0.tid)), "name": .string($0.name), "cpuS": num($0.cpuS)] }),
                "dataDirBytesPerTransfer": perTransfer(n.dataDirGrowthBytes.map(Double.init)),
                "stageCpuUsPerTransfer": n.stageCpuS.map { stages in
                    .object(stages.map { ($0.stage, perTransfer($0.seconds * 1e6)) })
                } ?? .null]
    }

    static func int(_ v: Int) -> JSON { .number(JSONNumber(v)) }

    static func num(_ v: Double?) -> JSON {
        guard let v, v.isFinite else { return .null }
        return .number(JSONNumber(literal: String(format: "%.3f", v)) ?? JSONNumber(0))
    }

    static func write(_ r: BenchReport, to path: String) throws {
        var bytes = render(r).serialized()
        bytes.append(0x0a)
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw BenchError("cannot write the JSON result to \(path)")
        }
    }
}
