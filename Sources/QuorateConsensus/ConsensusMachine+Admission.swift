import QuorateCore

/// Checks on every message before it can change anything, cheapest first; the signature
/// (the expensive check) comes after everything that needs no cryptography.
extension ConsensusMachine {
    mutating func admit(_ message: ConsensusMessage) {
        let h = message.height
        if h < height || (h == height && step == .committed) {
            senderIsBehind(message.signer, at: h)
            refuse(h < height ? .heightBehind(h, current: height) : .alreadyDecided)
            return
        }
        if h > height {
            senderIsAhead(message.signer, at: h)
            bufferForNextHeight(message)
            return
        }
        switch message {
        case .vote(let vote): admitVote(vote)
        case .proposal(let proposal): admitProposal(proposal)
        }
    }

    private mutating func admitVote(_ vote: Vote) {
        guard validators!.contains(vote.validator) else { return refuse(.notAValidator(vote.validator)) }
        if vote.round > highestStoredRound {
            // Too far ahead to store, but it may prove that f+1 validators moved on (line 55).
            guard config.verifier.isValid(vote, chainId: config.chainId) else { return refuse(.badSignature(vote.validator)) }
            log.noteHigherRound(vote)
            return refuse(.roundTooFarAhead(vote.round, current: round, limit: config.limits.roundsAheadStored))
        }
        let pruned = !log.accepts(round: vote.round)
        let provesLock = log.provesLock(vote)
        if pruned && !provesLock {
            helpLaggingValidator(vote.validator)
            return refuse(.roundPruned(vote.round, oldestKept: log.oldestKeptRound))
        }
        if pruned ? log.proofOfLockHas(vote) : log.isDuplicate(vote) {
            // Equal to a vote already checked, signature included. A re-sent vote of an older
            // round means its sender is stuck there: help it along.
            if vote.round < round { helpLaggingValidator(vote.validator) }
            return refuse(.duplicate)
        }
        guard config.verifier.isValid(vote, chainId: config.chainId) else { return refuse(.badSignature(vote.validator)) }
        if provesLock { log.addToProofOfLock(vote, power: validators!.power(of: vote.validator)) }
        if pruned { return }
        recordVote(vote)
        if vote.round < round { helpLaggingValidator(vote.validator) }
    }

    /// Counts a checked vote: tallies, the round-skip tracker, decision candidates, evidence.
    mutating func recordVote(_ vote: Vote) {
        let power = validators!.power(of: vote.validator)
        let before = log.round(vote.round)?.tally(vote.type).power(for: vote.blockHash) ?? 0
        let (result, evidence) = log.add(vote, power: power)
        switch result {
        case .added:
            if vote.round > round { log.noteHigherRound(vote) }
            if vote.type == .precommit, let hash = vote.blockHash, before < quorum, before + power >= quorum {
                decisionCandidates.append((vote.round, hash))
            }
            log.prune(current: round)
        case .duplicate:
            refuse(.duplicate)
        case .conflicting:
            if let evidence { out.evidence.append(evidence) }
            refuse(.conflictingVote(vote.validator))
        }
    }

    private mutating func admitProposal(_ proposal: Proposal) {
        let expected = validators!.proposer(height: height, round: proposal.round)
        guard proposal.proposer == expected else { return refuse(.wrongProposer(proposal.proposer, expected: expected)) }
        guard proposal.round <= highestStoredRound else {
            return refuse(.roundTooFarAhead(proposal.round, current: round, limit: config.limits.roundsAheadStored))
        }
        guard log.accepts(round: proposal.round) else {
            return refuse(.roundPruned(proposal.round, oldestKept: log.oldestKeptRound))
        }
        if let stored = log.proposal(round: proposal.round) {
            if stored == proposal { return refuse(.duplicate) }
            guard config.verifier.isValid(proposal, chainId: config.chainId) else {
                return refuse(.badSignature(proposal.proposer))
            }
            return refuse(.conflictingProposal(proposal.proposer))
        }
        if let vr = proposal.validRound, vr >= proposal.round {
            return refuse(.invalidValidRound(vr, round: proposal.round))
        }
        let header = proposal.block.header
        guard header.height == height, header.chainId == config.chainId else {
            return refuse(.blockDoesNotMatch("block is for chain \(header.chainId) height \(header.height), proposal for chain \(config.chainId) height \(height)"))
        }
        guard config.verifier.isValid(proposal, chainId: config.chainId) else {
            return refuse(.badSignature(proposal.proposer))
        }
        log.setProposal(proposal)
        log.prune(current: round)
        if proposal.round == round { prepareProofOfLock() }
        requestValidation(of: proposal.block, hash: proposal.blockHash)
    }

    /// Asks the node for valid(v) once per block.
    private mutating func requestValidation(of block: Block, hash: Hash32) {
        guard validity[hash] == nil, !validationRequested.contains(hash) else { return }
        validationRequested.insert(hash)
        out.requests.append(.validateBlock(block))
    }

    private mutating func bufferForNextHeight(_ message: ConsensusMessage) {
        let limit = config.limits.heightsAheadBuffered
        guard message.height - height <= limit else {
            return refuse(.heightTooFarAhead(message.height, current: height, limit: limit))
        }
        let signer = message.signer
        // The next height's set is not known yet: votes in this height's block may add
        // validators (docs/permissioning.md section 9), whose first messages would otherwise be
        // lost (relays drop re-sent bytes they have seen). A few signers outside this set are
        // buffered too; starting the height checks every buffered message against its set.
        if !validators!.contains(signer) {
            let outsiders = future.signers.filter { !validators!.contains($0) }
            guard outsiders.contains(signer) || outsiders.count < config.limits.outsideSignersBuffered else {
                return refuse(.notAValidator(signer))
            }
        }
        guard !future.contains(message) else { return refuse(.duplicate) }
        guard !future.isFull(for: signer, limit: config.limits.bufferedMessagesPerValidator) else {
            return refuse(.futureBufferFull(signer))
        }
        let signed: Bool
        switch message {
        case .vote(let v): signed = config.verifier.isValid(v, chainId: config.chainId)
        case .proposal(let p): signed = config.verifier.isValid(p, chainId: config.chainId)
        }
        guard signed else { return refuse(.badSignature(signer)) }
        future.add(message)
    }
}
