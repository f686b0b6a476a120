import QuorateConsensus
import QuorateCore
import Synchronization

/// What this node has heard from each validator: its votes (received, relayed or its own), the
/// heights it precommitted, when it was last heard; and the heights this node committed.
/// Answers "did it sign the last commit", "missed blocks in the window" and "last seen".
///
/// A certificate holds the first 2f+1 precommits only, so a live validator whose precommit came
/// a moment later is absent from it; that is why a precommit counts whenever it arrives, and a
/// commit is judged only `graceMs` after it happened.
final class ValidatorActivity: Sendable {
    /// Heights remembered for "missed blocks in the window".
    static let window = 100
    /// Late precommits of a commit are awaited this long before the commit is judged.
    static let graceMs: UInt64 = 1_500

    struct Commit: Equatable, Sendable {
        var height: UInt64
        var round: UInt32
        var localTimeMs: UInt64
    }

    /// One validator as the metrics and the health report show it.
    struct Report: Equatable, Sendable {
        var address: Address
        var signedLastCommit: Bool
        var lastSignedHeight: UInt64?
        var lastSeenMs: UInt64?
        /// Commits in the window (since this node started) without its precommit.
        var missedInWindow: Int
        var judgedCommits: Int
    }

    private struct Record {
        var precommitted: [UInt64] = []   // ascending, at most `window` entries
        var lastSeenMs: UInt64?
        var lastSignedHeight: UInt64?
    }

    private struct State {
        var records: [Address: Record] = [:]
        var commits: [Commit] = []        // ascending heights, at most `window`
    }

    private let state = Mutex(State())

    /// Any consensus message from `signer`; a precommit for a block counts as signing its height.
    func heard(_ message: ConsensusMessage, nowMs: UInt64) {
        state.withLock { s in
            var record = s.records[message.signer] ?? Record()
            record.lastSeenMs = max(record.lastSeenMs ?? 0, nowMs)
            if case .vote(let vote) = message, vote.type == .precommit, vote.blockHash != nil {
                Self.insert(vote.height, into: &record)
            }
            s.records[message.signer] = record
        }
    }

    /// A height committed here, with the signers its certificate carries.
    func committed(height: UInt64, round: UInt32, signers: [Address], nowMs: UInt64) {
        state.withLock { s in
            for signer in signers {
                var record = s.records[signer] ?? Record()
                Self.insert(height, into: &record)
                s.records[signer] = record
            }
            if let last = s.commits.last, last.height >= height { return }
            s.commits.append(Commit(height: height, round: round, localTimeMs: nowMs))
            if s.commits.count > Self.window { s.commits.removeFirst(s.commits.count - Self.window) }
        }
    }

    private static func insert(_ height: UInt64, into record: inout Record) {
        record.lastSignedHeight = max(record.lastSignedHeight ?? 0, height)
        guard !record.precommitted.contains(height) else { return }
        let at = record.precommitted.firstIndex { $0 > height } ?? record.precommitted.count
        record.precommitted.insert(height, at: at)
        if record.precommitted.count > window { record.precommitted.removeFirst(record.precommitted.count - window) }
    }

    /// Commits old enough to judge, oldest first.
    private static func judged(_ commits: [Commit], nowMs: UInt64) -> [Commit] {
        commits.filter { $0.localTimeMs + graceMs <= nowMs }
    }

    func reports(for validators: [Address], nowMs: UInt64) -> [Report] {
        state.withLock { s in
            let judged = Self.judged(s.commits, nowMs: nowMs)
            return validators.map { address in
                let record = s.records[address] ?? Record()
                let signed = Set(record.precommitted)
                let missed = judged.filter { !signed.contains($0.height) }.count
                return Report(address: address, signedLastCommit: judged.last.map { signed.contains($0.height) } ?? true,
                              lastSignedHeight: record.lastSignedHeight, lastSeenMs: record.lastSeenMs,
                              missedInWindow: missed, judgedCommits: judged.count)
            }
        }
    }

    /// The last `count` judged commits, newest first, each with the validators missing from it.
    func recentCommits(_ count: Int, validators: [Address], nowMs: UInt64) -> [(commit: Commit, missing: [Address])] {
        state.withLock { s in
            Self.judged(s.commits, nowMs: nowMs).suffix(count).reversed().map { commit in
                (commit, validators.filter { !(s.records[$0]?.precommitted.contains(commit.height) ?? false) })
            }
        }
    }

    /// When this node last committed a height (local clock), if it has since it started.
    var lastCommit: Commit? { state.withLock { $0.commits.last } }
}
