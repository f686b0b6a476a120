import QuorateCore

/// The prevotes or the precommits of one round: at most one vote per validator, with the
/// voting power behind each value and in total.
struct VoteTally: Sendable {
    private(set) var votes: [Address: Vote] = [:]
    private(set) var totalPower: UInt64 = 0
    /// Keyed by the voted block hash; nil is a vote for nil.
    private var powerByValue: [Hash32?: UInt64] = [:]

    enum AddResult: Equatable {
        case added
        case duplicate
        /// The validator already voted for another value; the existing vote is returned and
        /// the new one is not counted.
        case conflicting(Vote)
    }

    /// Whether `add` would take this vote, without changing anything: lets the caller skip the
    /// signature check of an exact duplicate.
    func wouldBeDuplicate(_ vote: Vote) -> Bool {
        votes[vote.validator] == vote
    }

    func existingVote(of validator: Address) -> Vote? { votes[validator] }

    mutating func add(_ vote: Vote, power: UInt64) -> AddResult {
        if let existing = votes[vote.validator] {
            return existing.blockHash == vote.blockHash ? .duplicate : .conflicting(existing)
        }
        votes[vote.validator] = vote
        totalPower += power
        powerByValue[vote.blockHash, default: 0] += power
        return .added
    }

    func power(for value: Hash32?) -> UInt64 { powerByValue[value] ?? 0 }

    /// Votes for `value`, sorted by validator address (the order certificates use).
    func votes(for value: Hash32?) -> [Vote] {
        votes.values.filter { $0.blockHash == value }.sorted { $0.validator < $1.validator }
    }

    /// All votes, sorted by validator address.
    func sortedVotes() -> [Vote] {
        votes.values.sorted { $0.validator < $1.validator }
    }
}
