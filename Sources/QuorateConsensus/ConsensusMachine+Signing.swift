import QuorateCore
import QuorateCrypto

/// Everything this validator signs goes through here, so that the hard state records it in
/// the same `Ready` that sends it, and so that nothing is signed twice for one round and step.
extension ConsensusMachine {
    /// Line 18: broadcast ⟨PROPOSAL, h_p, round_p, proposal, validRound_p⟩.
    mutating func propose(_ block: Block, validRound vr: UInt32?) {
        guard let key = config.signingKey, isProposer else { return }
        if let last = lastProposal {
            precondition(last.height != height || last.round < round, "would sign a second proposal for round \(round)")
        }
        let proposal: Proposal
        do {
            proposal = try Proposal.sign(chainId: config.chainId, height: height, round: round, validRound: vr,
                                         block: block, key: key)
        } catch {
            preconditionFailure("signing a proposal failed: \(error)")
        }
        lastProposal = proposal
        sendProposal(proposal)
        storeOwnProposal(proposal)
    }

    /// A proposal, and for a re-proposed block (vr >= 0) the prevotes of round vr that line 28
    /// asks every validator to hold: those sent in round vr may have been lost long ago.
    mutating func sendProposal(_ proposal: Proposal) {
        out.messages.append(.broadcast(.proposal(proposal)))
        guard let vr = proposal.validRound, vr == validRound, proposal.blockHash == validBlock?.hash else { return }
        for vote in validRoundPrevotes { out.messages.append(.broadcast(.vote(vote))) }
    }

    /// The proposer receives its own proposal like everyone else (the paper's broadcast includes
    /// the sender); its block is valid: the node built it, or it was validated before (line 36).
    mutating func storeOwnProposal(_ proposal: Proposal) {
        validity[proposal.blockHash] = true
        if log.proposal(round: proposal.round) == nil, log.accepts(round: proposal.round) {
            log.setProposal(proposal)
        }
    }

    /// Broadcasts a prevote or precommit for `value` (nil: a vote for nil) at the current round,
    /// and counts it. An observer (no key, or not in this height's set) signs nothing.
    mutating func castVote(_ type: VoteType, for value: Hash32?) {
        guard let key = config.signingKey, isVoting else { return }
        if let last = type == .prevote ? lastPrevote : lastPrecommit, last.height == height {
            precondition(last.round < round, "would sign a second \(type) for height \(height) round \(round)")
        }
        let vote: Vote
        do {
            vote = try Vote.sign(chainId: config.chainId, type: type, height: height, round: round, blockHash: value, key: key)
        } catch {
            preconditionFailure("signing a vote failed: \(error)")
        }
        if type == .prevote { lastPrevote = vote } else { lastPrecommit = vote }
        out.messages.append(.broadcast(.vote(vote)))
        recordVote(vote)
    }
}
