import QuorateCore

/// What the paper leaves to "reliable gossip". Real networks lose messages and nodes restart,
/// so a validator (1) re-sends its own latest proposal and votes every rebroadcast interval,
/// (2) sends a validator stuck in an earlier round of this height the votes that moved it on,
/// and (3) asks the node to sync a validator stuck at a height already committed. (2) and (3)
/// happen at most once per validator per interval, so a peer cannot make it send without limit.
extension ConsensusMachine {
    mutating func scheduleRebroadcast() {
        out.timeouts.append(TimeoutRequest(kind: .rebroadcast, height: height, round: tickSequence,
                                           durationMs: config.rebroadcastIntervalMs))
    }

    /// Enter: the rebroadcast timer of this height fired (its sequence number matches, so a
    /// duplicated timer does not start a second chain).
    mutating func rebroadcastTick(sequence: UInt32) {
        guard sequence == tickSequence else { return }
        tickSequence &+= 1
        ticksAtHeight &+= 1
        helpedThisTick = []
        syncRequestedThisTick = []
        fetchRequestedThisTick = false
        if let proposal = lastProposal, proposal.height == height, proposal.round == round {
            sendProposal(proposal)
        }
        for vote in [lastPrevote, lastPrecommit].compactMap({ $0 }) where vote.height == height {
            out.messages.append(.broadcast(.vote(vote)))
        }
        scheduleRebroadcast()
    }

    /// `validator` sent a vote of an earlier round of this height. Send it what justifies this
    /// round: 2f+1 precommits of the previous round (it will time out into this round), or the
    /// votes of this round and above (f+1 of them make it skip here), and this round's votes.
    mutating func helpLaggingValidator(_ validator: Address) {
        guard validator != me, !helpedThisTick.contains(validator) else { return }
        helpedThisTick.insert(validator)
        var votes: [Vote] = []
        if round > 0, let previous = log.round(round - 1), previous.precommits.totalPower >= quorum {
            votes += previous.precommits.sortedVotes()
        }
        if let current = log.round(round) {
            votes += current.prevotes.sortedVotes() + current.precommits.sortedVotes()
        }
        votes += log.higherRoundVotes(from: round).filter { $0.round > round }
        for vote in votes where vote.validator != validator {
            out.messages.append(.send(.vote(vote), to: validator))
        }
    }

    /// `validator` sent a message for height `h` above this one. Messages for the next height are
    /// normal right after a commit elsewhere; further ahead, or still after two intervals, this
    /// node is behind and asks for blocks (once per interval): it may have nothing of its own to
    /// re-send that would make the others notice.
    mutating func senderIsAhead(_ validator: Address, at h: UInt64) {
        guard validator != me, !fetchRequestedThisTick, validators!.contains(validator) else { return }
        guard h > height + config.limits.heightsAheadBuffered || ticksAtHeight >= 2 else { return }
        fetchRequestedThisTick = true
        out.requests.append(.fetchBlocks(from: validator, height: height))
    }

    /// `validator` sent a message for height `h`, which this node has decided. Right after a
    /// commit, messages of the old height are still in flight from validators that committed
    /// too, so sync is asked only once a rebroadcast interval has passed.
    mutating func senderIsBehind(_ validator: Address, at h: UInt64) {
        guard validator != me, validators!.contains(validator), !syncRequestedThisTick.contains(validator) else { return }
        let settled = h + 1 < height || (h + 1 == height && ticksAtHeight >= 1)
            || (h == height && decidedAtTick.map { ticksAtHeight > $0 } ?? false)
        guard settled else { return }
        syncRequestedThisTick.insert(validator)
        out.requests.append(.syncPeer(validator, height: h))
    }
}
