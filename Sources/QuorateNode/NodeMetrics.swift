import QuorateConsensus
import QuorateCore
import QuorateP2P
import QuorateRPC
import QuorateStorage

/// `GET /metrics`: the counters and histograms the node updates as events happen (declared
/// here), then gauges read at scrape time. O(validators + methods) per scrape.
/// The list with meanings and example queries is docs/monitoring.md.
enum NodeMetrics {
    static let families: [MetricsRegistry.Family] = [
        .histogram("quorate_consensus_round_duration_seconds", "Duration of consensus rounds, by how they ended (commit or round_change).", buckets: MetricsRegistry.latencyBuckets),
        .histogram("quorate_block_interval_seconds", "Time between the timestamps of consecutive blocks this node committed by consensus.", buckets: MetricsRegistry.latencyBuckets),
        .counter("quorate_consensus_proposals_made_total", "Blocks this validator built as proposer."),
        .counter("quorate_consensus_proposals_refused_total", "Proposed blocks this node refused (did not validate)."),
        .counter("quorate_transactions_committed_total", "Transactions in blocks this node committed (consensus and block sync)."),
        .histogram("quorate_commit_latency_seconds", "Submit-to-commit time of transactions this node admitted from JSON-RPC.", buckets: MetricsRegistry.latencyBuckets),
        .counter("quorate_mempool_admitted_total", "Transactions admitted to the mempool, by source (rpc, p2p)."),
        .counter("quorate_mempool_rejected_total", "Transactions refused at the mempool, by reason and source."),
        .counter("quorate_block_sync_blocks_total", "Blocks applied by block sync."),
        .counter("quorate_rpc_requests_total", "JSON-RPC calls by method (unknown methods count as other)."),
        .counter("quorate_rpc_errors_total", "JSON-RPC calls answered with an error, by method."),
        .histogram("quorate_rpc_request_duration_seconds", "JSON-RPC call handling time by method.", buckets: MetricsRegistry.shortBuckets),
        .histogram("quorate_store_write_seconds", "Time to write a committed block's batch to LevelDB, by durability (synced: with fsync; unsynced: block-sync batches).", buckets: MetricsRegistry.shortBuckets),
    ]

    static func render(_ node: Node) -> String {
        var out = MetricsText()
        let now = node.telemetry.clockMs()
        let head = node.store.head
        out.gauge("quorate_block_height", "Height of the newest committed block (chain height).", Double(head.height))
        out.gauge("quorate_head_age_seconds", "Seconds since the newest block's timestamp.", Double(now - min(now, head.timestampMs)) / 1000)
        renderConsensus(node, now: now, into: &out)
        out.gauge("quorate_mempool_transactions", "Transactions waiting for a block.", Double(node.mempool.count))
        out.gauge("quorate_mempool_executable_transactions", "Pooled transactions that can execute in turn (not behind a missing nonce): the backlog the client bound counts.", Double(node.mempool.executableTotal))
        out.gauge("quorate_mempool_bytes", "Encoded bytes of the transactions waiting for a block.", Double(node.mempool.bytes))
        out.gauge("quorate_peers", "Connected peers.", Double(node.peerCount))
        renderNetwork(into: &out)
        let sync = node.syncStatus()
        out.gauge("quorate_sync_syncing", "1 while block sync is catching up with a peer ahead, else 0.", sync == nil ? 0 : 1)
        out.gauge("quorate_sync_lag_blocks", "Blocks between this node's head and the highest peer's.", Double(sync.map { $0.highestBlock - min($0.highestBlock, $0.currentBlock) } ?? 0))
        node.telemetry.metrics.render(into: &out)
        out.family("quorate_stage_cpu_seconds_total", .counter, "Thread CPU time spent in each stage of the node's work, since start.")
        for (stage, seconds) in StageCPU.seconds() { out.sample("quorate_stage_cpu_seconds_total", [("stage", stage.label)], seconds) }
        LevelDBStats.render(node.store, path: node.config.storePath, into: &out)
        ProcessStats.render(into: &out)
        return out.text
    }

    private static func renderConsensus(_ node: Node, now: UInt64, into out: inout MetricsText) {
        let status = node.consensusStatus
        out.gauge("quorate_consensus_height", "Height consensus is working on.", Double(status?.height ?? 0))
        out.gauge("quorate_consensus_round", "Round of the height in progress.", Double(status?.round ?? 0))
        out.gauge("quorate_consensus_step", "Step of the round: 1 propose, 2 prevote, 3 precommit, 4 committed (waiting for the next height).", Double(status?.step.rawValue ?? 0))
        let validators = (try? node.store.validators(at: node.store.head.height + 1))?.validators ?? []
        let reports = node.telemetry.activity.reports(for: validators.map(\.address), nowMs: now)
        out.gauge("quorate_validators", "Validators in the set of the next height.", Double(validators.count))
        out.gauge("quorate_consensus_total_voting_power", "Voting power of the validator set.", Double(validators.reduce(0) { $0 + $1.power }))
        let missing = zip(validators, reports).filter { !$0.1.signedLastCommit }.reduce(0) { $0 + $1.0.power }
        out.gauge("quorate_consensus_missing_voting_power", "Voting power of validators whose precommit for the last judged commit never reached this node.", Double(missing))
        let byzantine = Set((status?.evidence ?? []).map(\.first.validator))
        out.gauge("quorate_consensus_byzantine_voting_power", "Voting power of validators caught double-signing at the current height.", Double(validators.filter { byzantine.contains($0.address) }.reduce(0) { $0 + $1.power }))
        let label = { (v: Validator) in [("validator", v.address.checksummed)] }
        out.family("quorate_validator_signed_last_commit", .gauge, "1 if the validator's precommit for the last judged commit reached this node, else 0.")
        for (v, r) in zip(validators, reports) { out.sample("quorate_validator_signed_last_commit", label(v), r.signedLastCommit ? 1 : 0) }
        out.family("quorate_validator_last_signed_height", .gauge, "Highest height the validator was seen precommitting (0: never since this node started).")
        for (v, r) in zip(validators, reports) { out.sample("quorate_validator_last_signed_height", label(v), Double(r.lastSignedHeight ?? 0)) }
        out.family("quorate_validator_missed_blocks", .gauge, "Commits among the last \(ValidatorActivity.window) this node saw without the validator's precommit.")
        for (v, r) in zip(validators, reports) { out.sample("quorate_validator_missed_blocks", label(v), Double(r.missedInWindow)) }
    }

    private static func renderNetwork(into out: inout MetricsText) {
        let net = NetworkMetrics.shared.snapshot()
        for (family, values, help) in [("quorate_p2p_messages_total", net.messages, "P2P messages by direction and type."),
                                       ("quorate_p2p_bytes_total", net.bytes, "P2P message bytes (decrypted payload) by direction and type.")] {
            out.family(family, .counter, help)
            for (d, direction) in NetworkMetrics.Direction.allCases.enumerated() {
                for (t, type) in NetworkMetrics.messageTypes.enumerated() {
                    out.sample(family, [("direction", direction.rawValue), ("type", type)], Double(values[d][t]))
                }
            }
        }
        out.family("quorate_p2p_handshake_failures_total", .counter, "Connections that ended before a session, by direction and reason.")
        for (direction, reason, n) in net.handshakeFailures {
            out.sample("quorate_p2p_handshake_failures_total", [("direction", direction), ("reason", reason)], Double(n))
        }
        out.family("quorate_p2p_hold_offs_total", .counter, "Peers held off after misbehaviour, by reason.")
        for (reason, n) in net.holdOffs { out.sample("quorate_p2p_hold_offs_total", [("reason", reason)], Double(n)) }
    }
}
