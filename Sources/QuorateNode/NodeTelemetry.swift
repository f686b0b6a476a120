import QuorateCLI
import QuorateConsensus
import QuorateCore
import QuorateRPC
import Synchronization

/// Events of one node, turned into metrics, the validators' activity and the round summary.
/// The consensus driver reports from its executor; RPC and gossip threads report submissions.
final class NodeTelemetry: Sendable {
    /// Submissions whose commit latency is awaited, at most (the oldest are not tracked past it).
    static let maxTrackedSubmissions = 100_000
    /// A submission not committed within this long is forgotten (refused by the builder, replaced).
    static let submissionMemoryMs: UInt64 = 600_000

    let metrics = MetricsRegistry(NodeMetrics.families)
    let activity = ValidatorActivity()
    let clockMs: @Sendable () -> UInt64
    let logger: Logger

    private struct HeightState {
        var height: UInt64 = 0
        var startedMs: UInt64?
        var round: UInt32 = 0
        var roundStartedMs: UInt64 = 0
        /// Validators heard voting at this height (prevote or precommit), for the round summary.
        var voters: Set<Address> = []
        var lastCommitMs: UInt64?
    }

    private let height = Mutex(HeightState())
    private let submissions = Mutex<[Hash32: UInt64]>([:])

    init(clockMs: @escaping @Sendable () -> UInt64, logger: Logger) {
        self.clockMs = clockMs
        self.logger = logger
    }

    // MARK: consensus (executor)

    func heightStarted(_ h: UInt64) {
        let now = clockMs()
        height.withLock { s in
            s = HeightState(height: h, startedMs: now, round: 0, roundStartedMs: now, voters: [], lastCommitMs: s.lastCommitMs)
        }
    }

    /// The height in progress and since when (local clock); nil start while waiting for work.
    var heightInProgress: (height: UInt64, startedMs: UInt64?) { height.withLock { ($0.height, $0.startedMs) } }

    /// After each batch of inputs: a round that ended is timed.
    func observe(_ status: ConsensusStatus) {
        let now = clockMs()
        let ended: UInt64? = height.withLock { s in
            guard status.height == s.height, status.round > s.round, s.startedMs != nil else { return nil }
            defer {
                s.round = status.round
                s.roundStartedMs = now
            }
            return now - min(now, s.roundStartedMs)
        }
        if let ended { metrics.observe("quorate_consensus_round_duration_seconds", [("outcome", "round_change")], Double(ended) / 1000) }
    }

    func heard(_ message: ConsensusMessage) {
        activity.heard(message, nowMs: clockMs())
        if case .vote(let vote) = message {
            height.withLock { s in
                if vote.height == s.height { s.voters.insert(vote.validator) }
            }
        }
    }

    func proposalMade() { metrics.add("quorate_consensus_proposals_made_total") }
    func proposalRefused() { metrics.add("quorate_consensus_proposals_refused_total") }

    /// A block decided by consensus here (not block sync): timings, the validators who signed,
    /// and the round summary when it took more than one round. Its transactions are counted
    /// when its write is in (`stored`).
    func committed(_ block: Block, certificate: CommitCertificate, validators: ValidatorSet, previousTimestampMs: UInt64) {
        let now = clockMs()
        let signers = certificate.signatures.map(\.validator)
        activity.committed(height: block.height, round: certificate.round, signers: signers, nowMs: now)
        let state = height.withLock { s -> HeightState in
            let before = s
            s.lastCommitMs = now
            return before
        }
        if state.height == block.height, state.startedMs != nil {
            metrics.observe("quorate_consensus_round_duration_seconds", [("outcome", "commit")], Double(now - min(now, state.roundStartedMs)) / 1000)
        }
        if block.height > 1 || previousTimestampMs > 0 {
            metrics.observe("quorate_block_interval_seconds", [], Double(block.header.timestampMs - min(block.header.timestampMs, previousTimestampMs)) / 1000)
        }
        guard certificate.round > 0 else { return }
        let proposers = (0...certificate.round).map { "\($0):\(validators.proposer(height: block.height, round: $0).checksummed)" }
        let voted = validators.validators.map(\.address).filter { state.voters.contains($0) || signers.contains($0) }
        let silent = validators.validators.map(\.address).filter { !voted.contains($0) }
        logger.info("consensus", "round summary: height \(block.height) took \(certificate.round + 1) rounds", [
            ("height", String(block.height)), ("rounds", String(certificate.round + 1)),
            ("proposer", block.header.proposer.checksummed), ("proposers", proposers.joined(separator: ",")),
            ("voted", voted.map(\.checksummed).joined(separator: ",")), ("silent", silent.map(\.checksummed).joined(separator: ",")),
            ("signers", signers.map(\.checksummed).joined(separator: ",")),
            ("duration_ms", String(state.startedMs.map { now - min(now, $0) } ?? 0)),
        ])
    }

    /// A block this node decided is in the store: its transactions count as committed, and the
    /// latency of this node's submissions ends here, when a receipt can be read.
    func stored(_ block: Block) { countCommitted(block) }

    /// Blocks applied by block sync: counted, but no round timing (this node did not decide them).
    func synced(_ block: Block, certificate: CommitCertificate) {
        activity.committed(height: block.height, round: certificate.round, signers: certificate.signatures.map(\.validator), nowMs: clockMs())
        metrics.add("quorate_block_sync_blocks_total")
        countCommitted(block)
    }

    private func countCommitted(_ block: Block) {
        metrics.add("quorate_transactions_committed_total", [], Double(block.transactions.count))
        let now = clockMs()
        let latencies: [UInt64] = submissions.withLock { pending in
            guard !pending.isEmpty else { return [] }
            return block.transactions.compactMap { tx in pending.removeValue(forKey: tx.hash).map { now - min(now, $0) } }
        }
        for ms in latencies { metrics.observe("quorate_commit_latency_seconds", [], Double(ms) / 1000) }
    }

    // MARK: submissions (RPC and gossip threads)

    /// A transaction this node admitted from a client: its commit latency will be measured.
    /// (Gossip is counted per batch: `admittedFromPeers`.)
    func admitted(_ hash: Hash32) {
        metrics.add("quorate_mempool_admitted_total", [("source", "rpc")])
        let now = clockMs()
        submissions.withLock { pending in
            if pending.count >= Self.maxTrackedSubmissions {
                pending = pending.filter { $0.value + Self.submissionMemoryMs > now }
                guard pending.count < Self.maxTrackedSubmissions else { return }
            }
            pending[hash] = now
        }
    }

    func rejected(reason: String, local: Bool, count: Int = 1) {
        guard count > 0 else { return }
        metrics.add("quorate_mempool_rejected_total", [("reason", reason), ("source", local ? "rpc" : "p2p")], Double(count))
    }

    /// A gossiped batch's admissions, counted at once (no commit latency is tracked for them).
    func admittedFromPeers(_ count: Int) {
        guard count > 0 else { return }
        metrics.add("quorate_mempool_admitted_total", [("source", "p2p")], Double(count))
    }
}
