import QuorateCore

/// The paper's "upon" rules. After every input the machine applies them until none fires:
/// a rule's output (a vote counted locally, a new round) can enable another.
extension ConsensusMachine {
    mutating func progress() {
        guard validators != nil else { return }
        while step != .committed {
            if decideIfPossible() { return }
            if skipRoundIfJustified() { continue }
            if prevoteOnProposal() { continue }
            scheduleTimeoutPrevoteIfQuorum()
            if lockOnPolka() { continue }
            if precommitNilOnNilPolka() { continue }
            scheduleTimeoutPrecommitIfQuorum()
            return
        }
    }

    /// Lines 22-27 and 28-33. Enter: the proposal of this round, and the node's verdict on its
    /// block, while in propose; for a re-proposed block (vr >= 0) also 2f+1 prevotes for it in
    /// round vr.
    private mutating func prevoteOnProposal() -> Bool {
        guard step == .propose, let proposal = log.proposal(round: round),
              let valid = validity[proposal.blockHash] else { return false }
        let hash = proposal.blockHash
        let lockAllows: Bool
        if let vr = proposal.validRound {
            // Line 28: wait for the proof that the block was valid in round vr.
            prepareProofOfLock()
            guard log.proofOfLockPower(round: vr, hash: hash) >= quorum else { return false }
            lockAllows = (lockedRound.map { $0 <= vr } ?? true) || lockedBlockHash == hash  // line 29
        } else {
            lockAllows = lockedRound == nil || lockedBlockHash == hash  // line 23
        }
        let prevoteBlock = valid && (lockAllows || config.faults.ignoreLock)
        castVote(.prevote, for: prevoteBlock ? hash : nil)  // lines 24/26, 30/32
        step = .prevote  // lines 27, 33
        return true
    }

    /// Lines 34-35. Enter: 2f+1 prevotes of this round, for anything, while in prevote (once).
    private mutating func scheduleTimeoutPrevoteIfQuorum() {
        guard step == .prevote, !prevoteTimeoutScheduled,
              (log.round(round)?.prevotes.totalPower ?? 0) >= quorum else { return }
        prevoteTimeoutScheduled = true
        schedule(.prevote)
    }

    /// Lines 36-43. Enter: the proposal of this round with a valid block and 2f+1 prevotes for
    /// it, in prevote or later (once per round). In prevote: lock on it and precommit it. In
    /// any case it becomes the valid value, to re-propose.
    private mutating func lockOnPolka() -> Bool {
        guard !polkaHandledThisRound, step >= .prevote, let proposal = log.proposal(round: round),
              validity[proposal.blockHash] == true,
              (log.round(round)?.prevotes.power(for: proposal.blockHash) ?? 0) >= quorum else { return false }
        polkaHandledThisRound = true
        if step == .prevote {
            lockedBlockHash = proposal.blockHash  // line 38
            lockedRound = round  // line 39
            castVote(.precommit, for: proposal.blockHash)  // line 40
            step = .precommit  // line 41
        }
        validBlock = proposal.block  // line 42
        validRound = round  // line 43
        validRoundPrevotes = log.round(round)!.prevotes.votes(for: proposal.blockHash)
        return true
    }

    /// Lines 44-46. Enter: 2f+1 prevotes for nil in this round, while in prevote.
    private mutating func precommitNilOnNilPolka() -> Bool {
        guard step == .prevote, (log.round(round)?.prevotes.power(for: nil) ?? 0) >= quorum else { return false }
        castVote(.precommit, for: nil)  // line 45
        step = .precommit  // line 46
        return true
    }

    /// Lines 47-48. Enter: 2f+1 precommits of this round, for anything (once).
    private mutating func scheduleTimeoutPrecommitIfQuorum() {
        guard !precommitTimeoutScheduled, (log.round(round)?.precommits.totalPower ?? 0) >= quorum else { return }
        precommitTimeoutScheduled = true
        schedule(.precommit)
    }

    /// Lines 49-54. Enter: 2f+1 precommits for one block in any round r of this height, and that
    /// block (from a proposal) judged valid. The certificate is the precommits for it.
    private mutating func decideIfPossible() -> Bool {
        for candidate in decisionCandidates {
            guard let tally = log.round(candidate.round)?.precommits,
                  validity[candidate.hash] == true,  // line 50
                  let block = log.block(withHash: candidate.hash) ?? validBlock.flatMap({ $0.hash == candidate.hash ? $0 : nil })
            else { continue }
            decide(block, CommitCertificate(precommits: tally.votes(for: candidate.hash)))
            return true
        }
        return false
    }

    /// Line 51: decision_p[h_p] = v. The node stores it and starts the next height (lines 52-54).
    mutating func decide(_ block: Block, _ certificate: CommitCertificate) {
        step = .committed
        decidedAtTick = ticksAtHeight
        out.committed = CommittedBlock(block: block, certificate: certificate)
    }

    /// Lines 55-56. Enter: validators with f+1 voting power sent votes of a round above this one.
    private mutating func skipRoundIfJustified() -> Bool {
        guard let target = log.roundReachedByOneThird(above: round, validators: validators!) else { return false }
        startRound(target)
        return true
    }
}
