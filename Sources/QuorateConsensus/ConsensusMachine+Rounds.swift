import QuorateCore

extension ConsensusMachine {
    /// Lines 11-21, StartRound(round). Enter: a new height (round 0), timeoutPrecommit of the
    /// previous round (line 67), or f+1 voting power seen in a higher round (line 56).
    mutating func startRound(_ r: UInt32) {
        precondition(r >= round, "rounds only move forward within a height")
        round = r  // line 11
        step = .propose  // line 12
        resetRoundGuards()
        log.prune(current: round)
        decisionCandidates.removeAll { !log.accepts(round: $0.round) }
        pruneValidity()
        promoteHigherRoundVotes()
        prepareProofOfLock()
        enterPropose()
    }

    /// Begins gathering the proof of lock of this round's proposal, if it re-proposes a block.
    mutating func prepareProofOfLock() {
        guard let proposal = log.proposal(round: round), let vr = proposal.validRound else { return }
        log.prepareProofOfLock(round: vr, hash: proposal.blockHash, validators: validators!)
    }

    /// Keeps node verdicts only for blocks still referenced, once they outnumber the rounds kept.
    private mutating func pruneValidity() {
        guard validity.count + validationRequested.count > 2 * log.maxRounds else { return }
        var keep = log.proposedHashes
        if let validBlock { keep.insert(validBlock.hash) }
        if let lockedBlockHash { keep.insert(lockedBlockHash) }
        validity = validity.filter { keep.contains($0.key) }
        validationRequested = validationRequested.filter { keep.contains($0) }
    }

    mutating func resetRoundGuards() {
        prevoteTimeoutScheduled = false
        polkaHandledThisRound = false
        precommitTimeoutScheduled = false
    }

    /// Lines 13-20. The paper schedules timeoutPropose only for non-proposers; here the proposer
    /// also waits on the node to build a block, so it schedules the timeout too.
    mutating func enterPropose() {
        schedule(.propose)
        guard isProposer else { return }
        if let signed = lastProposal, signed.round == round {
            // Signed before a restart: re-send it, never a second one for this round.
            sendProposal(signed)
            storeOwnProposal(signed)
        } else if let block = validBlock {
            propose(block, validRound: validRound)  // lines 14-15, 18
        } else {
            out.requests.append(.buildBlock(height: height, round: round))  // line 17: getValue()
        }
    }

    /// Votes remembered for the round skip that now fall inside the stored window join their tallies.
    private mutating func promoteHigherRoundVotes() {
        let window = round...highestStoredRound
        for vote in log.higherRoundVotes(from: round) where window.contains(vote.round) && !log.isDuplicate(vote) {
            recordVote(vote)
        }
    }

    /// The highest round whose messages are stored now.
    var highestStoredRound: UInt32 {
        let (sum, overflow) = round.addingReportingOverflow(config.limits.roundsAheadStored)
        return overflow ? UInt32.max : sum
    }

    // MARK: Timeouts

    /// timeoutX(round) = base + round * delta, capped: a network that heals after an hour
    /// resumes within one capped timeout.
    func timeoutDurationMs(_ kind: TimeoutKind, round r: UInt32) -> UInt64 {
        let p = config.params
        let base: UInt64
        switch kind {
        case .propose: base = p.timeoutProposeMs
        case .prevote: base = p.timeoutPrevoteMs
        case .precommit: base = p.timeoutPrecommitMs
        case .rebroadcast: return config.rebroadcastIntervalMs
        }
        let (growth, overflow) = UInt64(r).multipliedReportingOverflow(by: p.timeoutDeltaMs)
        if overflow { return p.timeoutMaxMs }
        let (total, overflow2) = base.addingReportingOverflow(growth)
        return overflow2 ? p.timeoutMaxMs : min(total, p.timeoutMaxMs)
    }

    mutating func schedule(_ kind: TimeoutKind) {
        out.timeouts.append(TimeoutRequest(kind: kind, height: height, round: round,
                                           durationMs: timeoutDurationMs(kind, round: round)))
    }

    mutating func timeoutFired(_ t: TimeoutRequest) {
        guard t.height == height, step != .committed else { return }
        switch t.kind {
        case .propose:
            // Lines 57-60. Enter: timeoutPropose of this round while still in propose.
            guard t.round == round, step == .propose else { return }
            castVote(.prevote, for: nil)
            step = .prevote
        case .prevote:
            // Lines 61-64. Enter: timeoutPrevote of this round while in prevote.
            guard t.round == round, step == .prevote else { return }
            castVote(.precommit, for: nil)
            step = .precommit
        case .precommit:
            // Lines 65-67. Enter: timeoutPrecommit of this round, at any step.
            guard t.round == round else { return }
            startRound(round + 1)
        case .rebroadcast:
            rebroadcastTick(sequence: t.round)
        }
    }
}
