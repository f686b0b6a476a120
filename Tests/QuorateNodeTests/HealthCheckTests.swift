import QuorateConsensus
import QuorateCore
@testable import QuorateNode
import Testing

@Suite("health check rules")
struct HealthCheckTests {
    static let a = Address([UInt8](repeating: 0xab, count: 20))
    static let b = Address([UInt8](repeating: 0xcd, count: 20))
    static let c = Address([UInt8](repeating: 0xef, count: 20))
    static let me = Address([UInt8](repeating: 0x11, count: 20))

    static func validator(_ address: Address, key: UInt8, isSelf: Bool = false, peerHeight: UInt64?, seenMs: UInt64?,
                          signed: Bool = true) -> HealthCheck.ValidatorState {
        HealthCheck.ValidatorState(address: address, nodeKey: [0x02, key, key, key] + [UInt8](repeating: key, count: 29), power: 1,
                                   isSelf: isSelf, peerHeight: peerHeight,
                                   activity: ValidatorActivity.Report(address: address, signedLastCommit: signed, lastSignedHeight: 800,
                                                                      lastSeenMs: seenMs, missedInWindow: signed ? 0 : 4, judgedCommits: 10))
    }

    static func input(nowMs: UInt64 = 10_000_000, headAgeMs: UInt64 = 1_000, startedAgoMs: UInt64? = nil, pending: Int = 0,
                      round: UInt32 = 0, step: ConsensusStep = .propose, missingPrecommits: [Address] = [],
                      validators: [HealthCheck.ValidatorState]? = nil, sync: (UInt64, UInt64)? = nil, heartbeatMs: UInt64 = 0,
                      peers: Int = 3) -> HealthCheck.Input {
        let set = validators ?? [validator(me, key: 0x01, isSelf: true, peerHeight: nil, seenMs: nowMs),
                                 validator(a, key: 0x02, peerHeight: 811, seenMs: nowMs - 500),
                                 validator(b, key: 0x03, peerHeight: 811, seenMs: nowMs - 500),
                                 validator(c, key: 0x04, peerHeight: 811, seenMs: nowMs - 500)]
        let status = HealthCheck.Consensus(height: 812, round: round, step: step, proposer: me,
                                           missingPrevotes: [], missingPrecommits: missingPrecommits)
        return HealthCheck.Input(nowMs: nowMs, headHeight: 811, headTimestampMs: nowMs - headAgeMs, heartbeatMs: heartbeatMs,
                                 pendingTransactions: pending, consensus: status,
                                 heightStartedMs: startedAgoMs.map { nowMs - $0 }, sync: sync.map { (current: $0.0, highest: $0.1) },
                                 isValidator: true, peers: peers, validators: set, recentCommits: [])
    }

    @Test("an idle chain (no transactions, no heartbeat) is healthy however old its last block")
    func idleIsHealthy() {
        let report = HealthCheck.evaluate(Self.input(headAgeMs: 3_600_000))
        #expect(report.healthy && report.ready && report.status == "ok")
        #expect(report.summary.contains("idle at height 811"))
    }

    @Test("a height in progress past the bound is stalled, naming the missing validators, their keys, last seen and connection")
    func stalledNamesMissingValidators() {
        let now: UInt64 = 1_000_000
        let set = [Self.validator(Self.me, key: 0x01, isSelf: true, peerHeight: nil, seenMs: now),
                   Self.validator(Self.a, key: 0xcd, peerHeight: nil, seenMs: now - 31_000, signed: false),
                   Self.validator(Self.b, key: 0x03, peerHeight: 811, seenMs: now - 200),
                   Self.validator(Self.c, key: 0x05, peerHeight: 790, seenMs: now - 9_000)]
        let report = HealthCheck.evaluate(Self.input(nowMs: now, headAgeMs: 34_000, startedAgoMs: 34_000, pending: 12, round: 6,
                                                     step: .precommit, missingPrecommits: [Self.a, Self.c], validators: set))
        #expect(!report.healthy && report.ready && report.status == "stalled")
        let reason = report.reasons.joined()
        #expect(reason.hasPrefix("no block committed for 34 s; round 6 at height 812 (step precommit); 12 transactions waiting"))
        #expect(reason.contains("missing precommits from 0xABaBaB…ABaB (node key 02cdcdcd…, last seen 31 s ago, not connected)"))
        #expect(reason.contains("and 0xeFEfeF…EFEf (node key 02050505…, last seen 9.0 s ago, connected, at height 790: lagging)"))
        #expect(reason.contains("2 of 4 voting power is missing"))
        #expect(report.warnings.contains { $0.contains("0xABaBaB…ABaB") && $0.contains("missed the last commit") })
    }

    @Test("a height in progress within the bound is healthy and says blocks are being committed")
    func withinBound() {
        let report = HealthCheck.evaluate(Self.input(startedAgoMs: 29_000, pending: 3, round: 2))
        #expect(report.healthy)
        #expect(report.summary.contains("committing"))
        #expect(report.warnings.contains { $0.contains("round 2") })
    }

    @Test("with the heartbeat on, no block for heartbeat plus the bound is a stall even with no height started")
    func heartbeatOverdue() {
        let report = HealthCheck.evaluate(Self.input(headAgeMs: 45_000, heartbeatMs: 10_000))
        #expect(report.status == "stalled")
        #expect(HealthCheck.evaluate(Self.input(headAgeMs: 35_000, heartbeatMs: 10_000)).healthy)
    }

    @Test("a node more than the lag bound behind its best peer is lagging and not ready; within the bound it is fine")
    func lagging() {
        let report = HealthCheck.evaluate(Self.input(sync: (790, 812)))
        #expect(!report.healthy && !report.ready && report.status == "lagging")
        #expect(report.reasons[0].contains("22 blocks behind its best peer (at height 790, peer at 812)"))
        #expect(HealthCheck.evaluate(Self.input(sync: (805, 812))).healthy)
    }

    @Test("before consensus starts the node is neither healthy nor ready")
    func starting() {
        var input = Self.input()
        input.consensus = nil
        let report = HealthCheck.evaluate(input)
        #expect(!report.healthy && !report.ready && report.status == "starting")
    }

    @Test("a validator connected to fewer peers than the other validators gets a warning, not a failure")
    func fewPeers() {
        let report = HealthCheck.evaluate(Self.input(peers: 1))
        #expect(report.healthy)
        #expect(report.warnings.contains("connected to 1 peers, fewer than the 3 other validators"))
    }
}
