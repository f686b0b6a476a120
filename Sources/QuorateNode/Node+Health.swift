import QuorateConsensus
import QuorateCore
import QuorateCrypto
import QuorateRPC

/// `quorate_health`, `GET /health` and `GET /health?ready`: the node's snapshot judged by `HealthCheck`.
extension Node {
    func healthInput() -> HealthCheck.Input {
        let now = telemetry.clockMs()
        let head = store.head
        let set = (try? store.validators(at: head.height + 1))?.validators ?? []
        let addresses = set.map(\.address)
        let reports = telemetry.activity.reports(for: addresses, nowMs: now)
        let peerHeights = Dictionary((networking?.peers() ?? []).map { ($0.key.compressed, $0.height) }, uniquingKeysWith: max)
        let own = config.validatorKey.map { Address($0.publicKey.ethereumAddress) }
        let validators = zip(set, reports).map { v, report in
            HealthCheck.ValidatorState(address: v.address, nodeKey: v.nodeKey, power: v.power, isSelf: v.address == own,
                                       peerHeight: peerHeights[v.nodeKey], activity: report)
        }
        let commits = telemetry.activity.recentCommits(healthBounds.recentCommits, validators: addresses, nowMs: now).map {
            HealthCheck.RecentCommit(height: $0.commit.height, round: $0.commit.round, missing: $0.missing)
        }
        let progress = telemetry.heightInProgress
        let sync = syncStatus().map { (current: $0.currentBlock, highest: $0.highestBlock) }
        let status = consensusStatus.map {
            HealthCheck.Consensus(height: $0.height, round: $0.round, step: $0.step, proposer: $0.proposer,
                                  missingPrevotes: $0.missingPrevotes, missingPrecommits: $0.missingPrecommits)
        }
        // A height the machine already decided is not in progress, whatever the driver's bookkeeping.
        let started = status.map { $0.step == .committed || $0.height != progress.height } ?? true ? nil : progress.startedMs
        return HealthCheck.Input(nowMs: now, headHeight: head.height, headTimestampMs: head.timestampMs,
                                 heartbeatMs: rules.consensus.heartbeatIntervalMs, pendingTransactions: mempool.count,
                                 consensus: status, heightStartedMs: started, sync: sync, isValidator: own != nil,
                                 peers: peerCount, validators: validators, recentCommits: commits, bounds: healthBounds)
    }

    func healthJSON() -> (report: HealthCheck.Report, json: JSON) {
        let input = healthInput()
        let report = HealthCheck.evaluate(input)
        let n = { (v: UInt64) in JSON.number(JSONNumber(v)) }
        let c = input.consensus
        let json: JSON = [
            "healthy": .bool(report.healthy),
            "ready": .bool(report.ready),
            "status": .string(report.status),
            "summary": .string(report.summary),
            "reasons": .array(report.reasons.map { .string($0) }),
            "warnings": .array(report.warnings.map { .string($0) }),
            "chainId": n(rules.chainId),
            "height": n(input.headHeight),
            "headHash": .string(store.head.hash.hex),
            "headAgeSeconds": .number(JSONNumber(Double(input.nowMs - min(input.nowMs, input.headTimestampMs)) / 1000)),
            "pendingTransactions": n(UInt64(input.pendingTransactions)),
            "peers": n(UInt64(input.peers)),
            "consensus": c.map { c -> JSON in [
                "height": n(c.height), "round": n(UInt64(c.round)), "step": .string(c.step.description),
                "proposer": c.proposer.map { .string($0.checksummed) } ?? .null,
                "heightInProgressSeconds": input.heightStartedMs.map { .number(JSONNumber(Double(input.nowMs - min(input.nowMs, $0)) / 1000)) } ?? .null,
                "missingPrevotes": .array(c.missingPrevotes.map { .string($0.checksummed) }),
                "missingPrecommits": .array(c.missingPrecommits.map { .string($0.checksummed) }),
            ] } ?? .null,
            "sync": [
                "syncing": .bool(input.sync != nil),
                "currentBlock": n(input.sync?.current ?? input.headHeight),
                "highestBlock": n(input.sync?.highest ?? input.headHeight),
                "lagBlocks": n(input.sync.map { $0.highest - min($0.highest, $0.current) } ?? 0),
            ],
            "validators": .array(input.validators.map { v in [
                "address": .string(v.address.checksummed),
                "nodeKey": .string(Hex.encode(v.nodeKey, prefix: true)),
                "power": n(v.power),
                "self": .bool(v.isSelf),
                "connected": .bool(v.peerHeight != nil),
                "peerHeight": v.peerHeight.map(n) ?? .null,
                "lastSeenSecondsAgo": v.activity.lastSeenMs.map { .number(JSONNumber(Double(input.nowMs - min(input.nowMs, $0)) / 1000)) } ?? .null,
                "lastSignedHeight": v.activity.lastSignedHeight.map(n) ?? .null,
                "signedLastCommit": .bool(v.activity.signedLastCommit),
                "missedInWindow": n(UInt64(v.activity.missedInWindow)),
                "window": n(UInt64(v.activity.judgedCommits)),
            ] }),
            "recentCommits": .array(input.recentCommits.map { [
                "height": n($0.height), "round": n(UInt64($0.round)), "missing": .array($0.missing.map { .string($0.checksummed) }),
            ] }),
            "bounds": [
                "stallSeconds": n(input.bounds.stallMs / 1000),
                "lagBlocks": n(input.bounds.lagBlocks),
                "heartbeatSeconds": .number(JSONNumber(Double(input.heartbeatMs) / 1000)),
            ],
        ]
        return (report, json)
    }

    /// GET /health: 200 while in sync and committing (or idle), 503 with the reasons otherwise.
    func liveness() -> (status: Int, body: JSON) {
        let (report, json) = healthJSON()
        return (report.healthy ? 200 : 503, json)
    }

    /// GET /health?ready: 200 once consensus runs and the node is within the lag bound.
    func readiness() -> (status: Int, body: JSON) {
        let (report, json) = healthJSON()
        return (report.ready ? 200 : 503, json)
    }

    func registerHealth(on dispatcher: RPCDispatcher) {
        dispatcher.register("quorate_health") { [weak self] params in
            try params.expectCount(0)
            guard let self else { throw RPCError.server("the node is stopping") }
            return self.healthJSON().json
        }
    }
}
