import Foundation
import QuorateCLI
import QuorateCore
@testable import QuorateNode
import QuorateP2P
import QuorateRPC
import QuorateState
import QuorateStorage
import Testing

@Suite("metric sources")
struct MetricSourceTests {
    @Test("process CPU is utime plus stime of /proc/self/stat, counted after the parenthesised command name")
    func procStat() {
        let stat = "4242 (quorate node) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 50 0 0 20 0 12 0 100 1000000 200"
        #expect(ProcessStats.cpuSeconds(stat: stat, ticksPerSecond: 100) == 3.0)
        #expect(ProcessStats.sample() != nil, "this process's /proc/self is readable")
    }

    @Test("LevelDB's stats table becomes per-level files, compaction seconds and bytes")
    func levelDBStats() {
        let stats = """
                                       Compactions
        Level  Files Size(MB) Time(sec) Read(MB) Write(MB)
        --------------------------------------------------
          0        2        1         0        0         1
          1        5        8         2       10         9

        """
        let parsed = LevelDBStats.parse(stats)
        #expect(parsed.levels.count == 2)
        #expect(parsed.levels[1].files == 5 && parsed.levels[1].seconds == 2 && parsed.levels[1].readBytes == 10 * 1_048_576)
    }

    @Test("P2P counters: messages and bytes per type and direction, failures and hold-offs by bounded reason")
    func networkCounters() {
        let metrics = NetworkMetrics()
        metrics.message(.outbound, "consensus", bytes: 120)
        metrics.message(.outbound, "consensus", bytes: 80)
        metrics.message(.inbound, "transactions", bytes: 1000)
        metrics.handshakeFailed(.outbound, PeerConnectionError.closedByPeer)
        metrics.heldOff(reason: "more than 100 messages at once or 50/s sustained")
        metrics.heldOff(reason: "a peer-chosen text that names nothing we know")
        let s = metrics.snapshot()
        #expect(s.messages[1][2] == 2 && s.bytes[1][2] == 200 && s.bytes[0][1] == 1000)
        #expect(s.handshakeFailures.map { "\($0.0)/\($0.1)/\($0.2)" } == ["out/closed_by_peer/1"])
        #expect(s.holdOffs.map(\.0) == ["other", "rate_limit"])
    }

    @Test("mempool rejection reasons become snake-case labels from a fixed set")
    func rejectionLabels() {
        #expect(AdmissionError.nonceTooLow(next: 2, got: 1).reason == "nonce_too_low")
        #expect(AdmissionError.alreadyKnown.reason == "already_known")
        #expect(AdmissionError(TransactionRejection(.tipAboveFeeCap, "max priority fee")).reason == "tip_above_fee_cap")
        #expect(AdmissionError.malformed("rlp: too short").reason == "invalid_transaction")
        #expect(AdmissionError.unavailable("disk").reason == "other")
    }
}

@Suite("node metrics and health")
struct NodeMetricsTests {
    typealias D = ConsensusDriverTests

    @Test("a committing node's /metrics has the issue's families, valid lines, and quorate_health says healthy")
    func scrape() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quorate-metrics-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = NodeConfig(dataDir: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try ChainStore.initialize(path: config.storePath, genesis: try D.genesis())
        config.validatorKey = D.validatorKey
        let node = try Node(config: config)
        try node.start()
        defer { node.stop() }
        _ = try node.submit(raw: try D.transfer(nonce: 0))
        #expect(throws: (any Error).self) { _ = try node.submit(raw: try D.transfer(nonce: 0)) }
        #expect(node.waitForHeight(1, timeoutMs: 30_000))
        // The store's head moves before the driver counts the commit: wait for the count (failure bound 10 s).
        var text = NodeMetrics.render(node)
        for _ in 0..<1_000 where !text.contains("quorate_commit_latency_seconds_count 1\n") {
            usleep(10_000)
            text = NodeMetrics.render(node)
        }
        for family in ["quorate_block_height", "quorate_head_age_seconds", "quorate_consensus_round", "quorate_consensus_step",
                       "quorate_validator_signed_last_commit", "quorate_validator_missed_blocks", "quorate_consensus_missing_voting_power",
                       "quorate_mempool_bytes", "quorate_mempool_executable_transactions", "quorate_p2p_bytes_total", "quorate_sync_lag_blocks", "quorate_stage_cpu_seconds_total",
                       "quorate_leveldb_size_bytes", "quorate_process_resident_memory_bytes", "quorate_commit_latency_seconds",
                       "quorate_store_write_seconds"] {
            #expect(text.contains("# TYPE \(family) "), "missing \(family)")
        }
        #expect(text.contains("quorate_block_height 1\n"))
        #expect(text.contains("quorate_transactions_committed_total 1\n"))
        #expect(text.contains("quorate_commit_latency_seconds_count 1\n"))
        #expect(text.contains(#"quorate_mempool_rejected_total{reason="already_known",source="rpc"} 1"#))
        #expect(text.contains(#"quorate_stage_cpu_seconds_total{stage="sender_recovery"}"#))
        // The commit of block 1 counted its encoding and its write as two stages.
        for stage in ["receipts_index", "store_write"] {
            let prefix = #"quorate_stage_cpu_seconds_total{stage=""# + stage + #""} "#
            let line = text.split(separator: "\n").first { $0.hasPrefix(prefix) }
            let seconds = line.flatMap { Double($0.dropFirst(prefix.count)) } ?? 0
            #expect(seconds > 0, "stage \(stage) counted nothing")
        }
        // Every sample line is `name{labels} value` with a parseable value.
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let value = line.split(separator: " ").last.map(String.init) ?? ""
            #expect(Double(value) != nil || ["+Inf", "NaN"].contains(value), "bad sample line: \(line)")
        }
        let (report, json) = node.healthJSON()
        #expect(report.healthy, "\(report.reasons)")
        #expect(json["status"] == "ok")
        #expect(json["validators"]?.arrayValue?.count == 1)
    }
}
