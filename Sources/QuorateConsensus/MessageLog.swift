import QuorateCore

/// The proposal and votes of one round.
struct RoundLog: Sendable {
    var proposal: Proposal?
    var prevotes = VoteTally()
    var precommits = VoteTally()

    func tally(_ type: VoteType) -> VoteTally { type == .prevote ? prevotes : precommits }
}

/// Everything peers told this validator at the current height: the paper's message log,
/// bounded. Rounds are kept from `oldestKeptRound` up to a few rounds ahead of the current
/// one; votes further ahead only update `highestRoundVotes` (one entry per validator), which
/// is all a round skip needs.
struct MessageLog: Sendable {
    private(set) var rounds: [UInt32: RoundLog] = [:]
    /// Rounds below this were dropped to stay within `roundsKept`; their messages are refused.
    private(set) var oldestKeptRound: UInt32 = 0
    /// Per validator, its vote of the highest round seen above the current round.
    private(set) var highestRoundVotes: [Address: Vote] = [:]
    /// The proof of lock of the current round's re-proposal: prevotes for its block in its valid
    /// round (line 28). Kept apart from the round's tally because it must take prevotes the tally
    /// refuses: those of a round already pruned, and the second vote of a validator that voted
    /// twice (a polka with an equivocator's vote is still 2f+1 signatures for the block, and a
    /// validator that saw the other vote first could otherwise never accept the re-proposal).
    /// One (round, block) at a time, one vote per validator.
    private(set) var proofOfLock: (round: UInt32, hash: Hash32, prevotes: VoteTally)?
    private(set) var evidence: [DoubleSignEvidence] = []
    private var evidenceKeys: Set<EvidenceKey> = []
    let maxRounds: Int
    let maxEvidence: Int

    private struct EvidenceKey: Hashable {
        var validator: Address
        var round: UInt32
        var type: UInt8
    }

    init(limits: ConsensusLimits) {
        maxRounds = limits.roundsKept + Int(limits.roundsAheadStored) + 1
        maxEvidence = limits.evidenceKept
    }

    func round(_ r: UInt32) -> RoundLog? { rounds[r] }

    func proposal(round r: UInt32) -> Proposal? { rounds[r]?.proposal }

    /// Whether a message of round `r` may be stored: not older than the oldest kept round.
    func accepts(round r: UInt32) -> Bool { r >= oldestKeptRound }

    /// Stores a proposal; the caller checked that none is stored for its round.
    mutating func setProposal(_ p: Proposal) {
        withRound(p.round) { $0.proposal = p }
    }

    /// Adds a checked vote to its round's tally. A conflicting vote becomes evidence (once per
    /// validator, round and type, and at most `maxEvidence` per height).
    mutating func add(_ vote: Vote, power: UInt64) -> (VoteTally.AddResult, newEvidence: DoubleSignEvidence?) {
        var result = VoteTally.AddResult.duplicate
        withRound(vote.round) { log in
            if vote.type == .prevote { result = log.prevotes.add(vote, power: power) }
            else { result = log.precommits.add(vote, power: power) }
        }
        guard case .conflicting(let existing) = result else { return (result, nil) }
        let key = EvidenceKey(validator: vote.validator, round: vote.round, type: vote.type.rawValue)
        guard evidence.count < maxEvidence, !evidenceKeys.contains(key) else { return (result, nil) }
        let found = DoubleSignEvidence(first: existing, second: vote)
        evidenceKeys.insert(key)
        evidence.append(found)
        return (result, found)
    }

    /// Starts the proof of lock for a re-proposal of `hash` with valid round `vr`, from the
    /// prevotes already held (a no-op when it is the one being gathered).
    mutating func prepareProofOfLock(round vr: UInt32, hash: Hash32, validators: ValidatorSet) {
        if let p = proofOfLock, p.round == vr, p.hash == hash { return }
        var prevotes = VoteTally()
        for vote in rounds[vr]?.prevotes.votes(for: hash) ?? [] {
            _ = prevotes.add(vote, power: validators.power(of: vote.validator))
        }
        proofOfLock = (vr, hash, prevotes)
    }

    /// Whether `vote` belongs to the proof of lock being gathered.
    func provesLock(_ vote: Vote) -> Bool {
        guard let p = proofOfLock else { return false }
        return vote.type == .prevote && vote.round == p.round && vote.blockHash == p.hash
    }

    func proofOfLockHas(_ vote: Vote) -> Bool { proofOfLock?.prevotes.wouldBeDuplicate(vote) ?? false }

    mutating func addToProofOfLock(_ vote: Vote, power: UInt64) {
        guard provesLock(vote) else { return }
        _ = proofOfLock!.prevotes.add(vote, power: power)
    }

    /// Voting power behind the proof of lock of `hash` in round `vr`.
    func proofOfLockPower(round vr: UInt32, hash: Hash32) -> UInt64 {
        guard let p = proofOfLock, p.round == vr, p.hash == hash else { return 0 }
        return p.prevotes.totalPower
    }

    func isDuplicate(_ vote: Vote) -> Bool {
        rounds[vote.round]?.tally(vote.type).wouldBeDuplicate(vote) ?? false
    }

    /// Remembers the highest-round vote of each validator above the current round.
    mutating func noteHigherRound(_ vote: Vote) {
        if let known = highestRoundVotes[vote.validator], known.round >= vote.round { return }
        highestRoundVotes[vote.validator] = vote
    }

    /// The highest round `r` above `current` such that validators with f+1 voting power sent
    /// votes of round `r` or higher: at least one honest validator has reached `r`. The paper's
    /// line 55 counts messages of one round; counting "this round or higher" skips at least as
    /// far and needs one entry per validator instead of one per round.
    func roundReachedByOneThird(above current: UInt32, validators: ValidatorSet) -> UInt32? {
        let ahead = highestRoundVotes.values.filter { $0.round > current }
            .sorted { ($0.round, $1.validator) > ($1.round, $0.validator) }
        var power: UInt64 = 0
        for vote in ahead {
            power += validators.power(of: vote.validator)
            if power >= validators.oneThirdPlusOnePower { return vote.round }
        }
        return nil
    }

    /// Votes of `highestRoundVotes` at or above `round`, sorted by validator.
    func higherRoundVotes(from round: UInt32) -> [Vote] {
        highestRoundVotes.values.filter { $0.round >= round }.sorted { $0.validator < $1.validator }
    }

    /// Drops the oldest rounds beyond the limit; never the current round or later.
    mutating func prune(current: UInt32) {
        while rounds.count > maxRounds, let oldest = rounds.keys.min(), oldest < current {
            rounds[oldest] = nil
            oldestKeptRound = oldest + 1
        }
    }

    /// Block hashes of every stored proposal, for pruning validation results.
    var proposedHashes: Set<Hash32> { Set(rounds.values.compactMap { $0.proposal?.blockHash }) }

    /// The block with `hash` from any stored proposal, lowest round first.
    func block(withHash hash: Hash32) -> Block? {
        for r in rounds.keys.sorted() {
            if let p = rounds[r]?.proposal, p.blockHash == hash { return p.block }
        }
        return nil
    }

    private mutating func withRound(_ r: UInt32, _ body: (inout RoundLog) -> Void) {
        precondition(r >= oldestKeptRound, "round \(r) was pruned; callers check accepts(round:)")
        body(&rounds[r, default: RoundLog()])
    }
}
