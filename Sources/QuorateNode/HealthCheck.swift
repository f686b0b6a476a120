import QuorateConsensus
import QuorateCore
import QuorateCrypto

/// Whether a node is healthy and, if not, why, in words an operator can act on. A pure function
/// of a snapshot (`HealthCheck.Input`), so every rule is tested without a network.
///
/// Rules (docs/monitoring.md):
/// - **starting**: consensus has not started. Unhealthy, not ready.
/// - **lagging**: block sync says this node is more than `lagBlocks` behind its best peer.
///   Unhealthy, not ready (its answers are stale).
/// - **stalled**: a height has been in progress for more than `stallMs` without committing.
///   Heights start only when there is work (transactions wait, the heartbeat is due, or a peer
///   is already voting on it), so an idle chain with no empty blocks is never "stalled"; a chain
///   that has work and cannot commit is. Also stalled: the heartbeat is on and no block came for
///   the heartbeat plus `stallMs`. Unhealthy, still ready (reads are served).
/// - Otherwise healthy, with warnings for validators missing from the last commit, a height
///   past round 0 and a validator connected to fewer than all the other validators.
enum HealthCheck {
    struct Bounds: Equatable, Sendable {
        var stallMs: UInt64 = 30_000
        var lagBlocks: UInt64 = 10
        /// Commits listed with their missing validators.
        var recentCommits = 10
    }

    struct ValidatorState: Equatable {
        var address: Address
        var nodeKey: [UInt8]
        var power: UInt64
        var isSelf: Bool
        /// nil: not connected to this node.
        var peerHeight: UInt64?
        var activity: ValidatorActivity.Report
    }

    /// Where consensus stands (the parts of `ConsensusStatus` the rules read).
    struct Consensus: Equatable {
        var height: UInt64
        var round: UInt32
        var step: ConsensusStep
        var proposer: Address?
        var missingPrevotes: [Address]
        var missingPrecommits: [Address]
    }

    struct RecentCommit: Equatable {
        var height: UInt64
        var round: UInt32
        var missing: [Address]
    }

    struct Input {
        var nowMs: UInt64
        var headHeight: UInt64
        var headTimestampMs: UInt64
        var heartbeatMs: UInt64
        var pendingTransactions: Int
        var consensus: Consensus?
        /// When the height in progress started (local clock); nil while waiting for work.
        var heightStartedMs: UInt64?
        var sync: (current: UInt64, highest: UInt64)?
        var isValidator: Bool
        var peers: Int
        var validators: [ValidatorState]
        var recentCommits: [RecentCommit]
        var bounds = Bounds()
    }

    struct Report {
        var healthy: Bool
        var ready: Bool
        /// ok, starting, lagging, stalled.
        var status: String
        var summary: String
        var reasons: [String]
        var warnings: [String]
    }

    static func evaluate(_ input: Input) -> Report {
        let headAge = seconds(input.nowMs - min(input.nowMs, input.headTimestampMs))
        guard let consensus = input.consensus else {
            return Report(healthy: false, ready: false, status: "starting", summary: "consensus has not started yet",
                          reasons: ["consensus has not started yet: the node is opening its store or joining the network"], warnings: [])
        }
        var reasons: [String] = []
        var status = "ok"
        var ready = true
        if let sync = input.sync, sync.highest > sync.current + input.bounds.lagBlocks {
            status = "lagging"
            ready = false
            reasons.append("this node is \(sync.highest - sync.current) blocks behind its best peer (at height \(sync.current), peer at \(sync.highest)); block sync is catching up (bound: \(input.bounds.lagBlocks) blocks)")
        }
        let inProgressMs = input.heightStartedMs.map { input.nowMs - min(input.nowMs, $0) }
        let heartbeatOverdue = input.heartbeatMs > 0
            && input.nowMs > input.headTimestampMs + input.heartbeatMs + input.bounds.stallMs
        if status == "ok", (inProgressMs ?? 0) > input.bounds.stallMs || heartbeatOverdue {
            status = "stalled"
            reasons.append(stallReason(input, consensus: consensus, headAge: headAge))
        }
        let warnings = warnings(input, consensus: consensus)
        let summary: String
        switch status {
        case "ok" where input.heightStartedMs == nil && input.pendingTransactions == 0:
            let heartbeat = input.heartbeatMs > 0 ? "every \(seconds(input.heartbeatMs)) s (heartbeat)" : "only for transactions (heartbeat off)"
            summary = "idle at height \(input.headHeight): no transactions waiting; last block \(headAge) s ago; blocks are made \(heartbeat)"
        case "ok":
            summary = "committing: height \(input.headHeight), last block \(headAge) s ago, \(input.pendingTransactions) transactions waiting"
        default:
            summary = reasons.joined(separator: "; ")
        }
        return Report(healthy: status == "ok", ready: ready, status: status, summary: summary, reasons: reasons, warnings: warnings)
    }

    private static func stallReason(_ input: Input, consensus: Consensus, headAge: String) -> String {
        var text = "no block committed for \(headAge) s; round \(consensus.round) at height \(consensus.height) (step \(consensus.step))"
        if input.pendingTransactions > 0 { text += "; \(input.pendingTransactions) transactions waiting" }
        let precommitting = consensus.step >= .precommit
        let missing = precommitting ? consensus.missingPrecommits : consensus.missingPrevotes
        let described = missing.compactMap { address in input.validators.first { $0.address == address && !$0.isSelf } }
            .map { describe($0, nowMs: input.nowMs, height: consensus.height) }
        if !described.isEmpty {
            text += "; missing \(precommitting ? "precommits" : "prevotes") from " + list(described)
        }
        let total = input.validators.reduce(0) { $0 + $1.power }
        let absent = input.validators.filter { missing.contains($0.address) }.reduce(0) { $0 + $1.power }
        if total > 0, absent * 3 >= total {
            text += "; \(absent) of \(total) voting power is missing, more than the chain can lose (f < n/3): bring those validators back or reconnect them"
        } else if input.peers == 0 {
            text += "; this node has no peers: check its --peer addresses and the network"
        }
        return text
    }

    /// "0xab12…cd34 (node key 02cd12ab…, last seen 31 s ago, not connected)".
    static func describe(_ v: ValidatorState, nowMs: UInt64, height: UInt64) -> String {
        var facts = ["node key \(Hex.encode(Array(v.nodeKey.prefix(4))))…"]
        if let seen = v.activity.lastSeenMs {
            facts.append("last seen \(seconds(nowMs - min(nowMs, seen))) s ago")
        } else {
            facts.append("not heard from since this node started")
        }
        if let peerHeight = v.peerHeight {
            facts.append(peerHeight + 1 < height ? "connected, at height \(peerHeight): lagging" : "connected, at height \(peerHeight)")
        } else {
            facts.append("not connected")
        }
        return "\(shortAddress(v.address)) (\(facts.joined(separator: ", ")))"
    }

    private static func warnings(_ input: Input, consensus: Consensus) -> [String] {
        var out: [String] = []
        for v in input.validators where !v.activity.signedLastCommit && !v.isSelf {
            out.append("validator \(describe(v, nowMs: input.nowMs, height: consensus.height)) missed the last commit; missed \(v.activity.missedInWindow) of the last \(v.activity.judgedCommits)")
        }
        if consensus.round > 0 && consensus.step != .committed {
            out.append("height \(consensus.height) is in round \(consensus.round): rounds change when a proposer is down or votes arrive late")
        }
        let others = input.validators.filter { !$0.isSelf }.count
        if input.isValidator, input.peers < others {
            out.append("connected to \(input.peers) peers, fewer than the \(others) other validators")
        }
        return out
    }

    static func shortAddress(_ address: Address) -> String {
        let text = address.checksummed
        return String(text.prefix(8)) + "…" + String(text.suffix(4))
    }

    static func list(_ items: [String]) -> String {
        items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " and " + items.last!
    }

    /// Seconds with one decimal below 10 s ("1.2"), whole above ("34").
    static func seconds(_ ms: UInt64) -> String {
        ms >= 10_000 ? String(ms / 1000) : "\(ms / 1000).\(ms % 1000 / 100)"
    }
}
