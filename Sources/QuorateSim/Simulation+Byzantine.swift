import QuorateConsensus
import QuorateCore

/// What Byzantine validators send instead of what their (honest) machine wrote. Twins need
/// nothing here: their misbehaviour is having two copies.
extension Simulation {
    /// The message recipient j gets from node i: the original, or for some recipients a
    /// conflicting version signed with the same key.
    func byzantineVersion(of message: ConsensusMessage, from i: Int) -> ConsensusMessage {
        let node = nodes[i]
        guard message.signer == node.address else { return message }
        if options.byzantineBadStateRoot, node.role != .honest, case .proposal(let p) = message {
            return .proposal(badStateRootProposal(p, from: i))
        }
        switch (node.role, message) {
        case (.equivocator, .proposal(let p)) where networkRandom.chance(permille: 500):
            return .proposal(conflictingProposal(p, from: i))
        case (.doubleVoter, .vote(let v)) where networkRandom.chance(permille: 300):
            let other = v.blockHash == nil ? Hash32.keccak(v.signature.compact65) : nil
            return .vote(try! Vote.sign(chainId: chainId, type: v.type, height: v.height, round: v.round,
                                        blockHash: other, key: node.key))
        default:
            return message
        }
    }

    /// The proposal with its block's state root changed, re-signed, one per (validator, height,
    /// round) and the same for every recipient: a block whose execution does not give its header.
    private func badStateRootProposal(_ p: Proposal, from i: Int) -> Proposal {
        let key = EquivocationKey(validator: nodes[i].validator, height: p.height, round: p.round)
        if let known = equivocations[key] { return known }
        var block = p.block
        block.header.stateRoot = Hash32.keccak(block.header.stateRoot.bytes + [0xB5])
        let bad = try! Proposal.sign(chainId: chainId, height: p.height, round: p.round, validRound: p.validRound,
                                     block: block, key: nodes[i].key)
        checker.noteProposed(bad.blockHash)
        equivocations[key] = bad
        return bad
    }

    /// One alternative per (validator, height, round), so that its recipients agree with each
    /// other: a different block, now and then an invalid one.
    private func conflictingProposal(_ p: Proposal, from i: Int) -> Proposal {
        let key = EquivocationKey(validator: nodes[i].validator, height: p.height, round: p.round)
        if let known = equivocations[key] { return known }
        var block = p.block
        block.header.stateRoot = Hash32.keccak(block.header.stateRoot.bytes + [0xE0])
        if networkRandom.chance(permille: 250) { block.header.gasUsed = block.header.gasLimit + 1 }
        let alternative = try! Proposal.sign(chainId: chainId, height: p.height, round: p.round, validRound: p.validRound,
                                             block: block, key: nodes[i].key)
        checker.noteProposed(alternative.blockHash)
        equivocations[key] = alternative
        return alternative
    }
}
