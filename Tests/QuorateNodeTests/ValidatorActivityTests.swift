import QuorateConsensus
import QuorateCore
import QuorateCrypto
@testable import QuorateNode
import QuorateTestSupport
import Testing

@Suite("validator activity")
struct ValidatorActivityTests {
    static let keys = (1...3).map { TestKeys.key(UInt8($0)) }
    static let addresses = keys.map { Address($0.publicKey.ethereumAddress) }

    static func precommit(_ i: Int, height: UInt64) -> ConsensusMessage {
        .vote(Vote(type: .precommit, height: height, round: 0, blockHash: Hash32([UInt8](repeating: 7, count: 32)),
                   validator: addresses[i], signature: try! Secp256k1.RecoverableSignature(compact65: [UInt8](repeating: 1, count: 65))))
    }

    @Test("a precommit arriving after the commit still counts: the certificate holds only the first 2f+1")
    func latePrecommitCounts() {
        let activity = ValidatorActivity()
        activity.committed(height: 5, round: 0, signers: [Self.addresses[0], Self.addresses[1]], nowMs: 10_000)
        activity.heard(Self.precommit(2, height: 5), nowMs: 10_200)
        let reports = activity.reports(for: Self.addresses, nowMs: 20_000)
        #expect(reports.allSatisfy { $0.signedLastCommit && $0.missedInWindow == 0 })
        #expect(reports[2].lastSignedHeight == 5 && reports[2].lastSeenMs == 10_200)
    }

    @Test("a validator silent for several commits is missing from the last and counts every miss in the window")
    func silentValidatorMisses() {
        let activity = ValidatorActivity()
        for h in UInt64(1)...4 {
            activity.committed(height: h, round: 0, signers: [Self.addresses[0], Self.addresses[1]], nowMs: h * 1_000)
        }
        activity.heard(Self.precommit(2, height: 1), nowMs: 1_100)
        let reports = activity.reports(for: Self.addresses, nowMs: 100_000)
        #expect(!reports[2].signedLastCommit && reports[2].missedInWindow == 3 && reports[2].lastSignedHeight == 1)
        let recent = activity.recentCommits(2, validators: Self.addresses, nowMs: 100_000)
        #expect(recent.map(\.commit.height) == [4, 3])
        #expect(recent.allSatisfy { $0.missing == [Self.addresses[2]] })
    }

    @Test("a commit is judged only after the grace period, so a precommit in flight is not reported missing")
    func graceBeforeJudging() {
        let activity = ValidatorActivity()
        activity.committed(height: 1, round: 0, signers: [Self.addresses[0]], nowMs: 1_000)
        activity.committed(height: 2, round: 0, signers: [Self.addresses[0]], nowMs: 50_000)
        activity.heard(Self.precommit(1, height: 1), nowMs: 1_050)
        // At 50.5 s commit 2 is too fresh: commit 1 is the last judged one, and validator 1 signed it.
        let reports = activity.reports(for: Self.addresses, nowMs: 50_500)
        #expect(reports[1].signedLastCommit && reports[1].judgedCommits == 1)
        #expect(!activity.reports(for: Self.addresses, nowMs: 60_000)[1].signedLastCommit)
    }
}
