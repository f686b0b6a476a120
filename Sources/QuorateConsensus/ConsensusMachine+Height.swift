import QuorateCore

extension ConsensusMachine {
    /// Enter: the node starts a height, at boot (perhaps restoring a hard state) or after a commit.
    mutating func startHeight(_ h: UInt64, validators: ValidatorSet, restoring: HardState?) {
        if let restoring, restoring.height > h {
            refuse(.hardStateAhead(restoring.height, height: h))
            return
        }
        if self.validators != nil, h <= height {
            refuse(.heightNotAhead(h, current: height))
            return
        }
        let buffered = future.drain(height: h)
        resetHeight(h, validators: validators)
        if let restoring, restoring.height == h {
            restore(restoring)
            resume()
        } else {
            startRound(0)  // line 54 (and "upon start", line 10)
        }
        scheduleRebroadcast()
        for message in buffered {
            admit(message)
            progress()
        }
        out.refusal = nil  // a buffered message's refusal is no answer to .startHeight
    }

    /// Line 53: reset the lock and valid values and empty the message log.
    private mutating func resetHeight(_ h: UInt64, validators: ValidatorSet) {
        self.validators = validators
        myPower = me.map { validators.power(of: $0) } ?? 0
        height = h
        round = 0
        step = .propose
        lockedRound = nil
        lockedBlockHash = nil
        validRound = nil
        validBlock = nil
        validRoundPrevotes = []
        lastProposal = nil
        lastPrevote = nil
        lastPrecommit = nil
        log = MessageLog(limits: config.limits)
        validity = [:]
        validationRequested = []
        decisionCandidates = []
        ticksAtHeight = 0
        decidedAtTick = nil
        helpedThisTick = []
        syncRequestedThisTick = []
        fetchRequestedThisTick = false
    }

    private mutating func restore(_ state: HardState) {
        round = state.round
        // A crash after deciding but before the block was stored: decide again from votes or sync.
        step = state.step == .committed ? .precommit : state.step
        lockedRound = state.lockedRound
        lockedBlockHash = state.lockedBlockHash
        validRound = state.validRound
        validBlock = state.validBlock
        validRoundPrevotes = state.validRoundPrevotes
        lastProposal = state.lastProposal.flatMap { $0.height == height ? $0 : nil }
        lastPrevote = state.lastPrevote.flatMap { $0.height == height ? $0 : nil }
        lastPrecommit = state.lastPrecommit.flatMap { $0.height == height ? $0 : nil }
        hardStateChanged = false  // nothing new to write: this is what is on disk
    }

    /// After a restart: re-send what was signed (it was persisted before it was first sent, so
    /// sending it again is safe), count it again, and pick up the current step.
    private mutating func resume() {
        resetRoundGuards()
        for vote in [lastPrevote, lastPrecommit].compactMap({ $0 }) {
            out.messages.append(.broadcast(.vote(vote)))
            if log.accepts(round: vote.round) { recordVote(vote) }
        }
        if step == .propose {
            enterPropose()
        } else if let proposal = lastProposal, proposal.round == round {
            sendProposal(proposal)
            storeOwnProposal(proposal)
        }
    }
}
