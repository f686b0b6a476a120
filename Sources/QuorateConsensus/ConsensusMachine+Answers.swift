import QuorateCore

/// The node's answers to `ConsensusRequest`s, and commits learned through block sync.
extension ConsensusMachine {
    /// Line 17 answered: getValue() returned a block for (height, round).
    mutating func blockBuilt(_ block: Block, height h: UInt64, round r: UInt32) {
        guard h == height, r == round, step == .propose, isProposer else {
            return refuse(.unexpectedAnswer("block built for height \(h) round \(r), but consensus is at height \(height) round \(round) step \(step)"))
        }
        guard lastProposal.map({ $0.height != height || $0.round < round }) ?? true else {
            return refuse(.unexpectedAnswer("already proposed in round \(round)"))
        }
        guard block.header.height == height, block.header.chainId == config.chainId else {
            return refuse(.blockDoesNotMatch("built block is for chain \(block.header.chainId) height \(block.header.height)"))
        }
        propose(block, validRound: nil)  // line 18 with validRound_p = -1 (line 14: there is no valid value)
    }

    /// valid(v) answered.
    mutating func blockValidated(_ hash: Hash32, valid: Bool) {
        guard validationRequested.contains(hash) else {
            return refuse(.unexpectedAnswer("no validation of \(hash) is pending at height \(height)"))
        }
        validationRequested.remove(hash)
        validity[hash] = valid
    }

    /// Enter: block sync brought this height's block and 2f+1 precommits for it. Deciding on
    /// them is line 49 with the precommits from the certificate; valid(v) holds because at
    /// least f+1 honest validators prevoted it, and the node re-executes it when it applies it.
    mutating func commitProof(_ block: Block, _ certificate: CommitCertificate) {
        guard step != .committed else { return refuse(.alreadyDecided) }
        guard certificate.height == height, block.header.height == height else {
            return refuse(.badCertificate("certificate for height \(certificate.height), block for height \(block.header.height), consensus at height \(height)"))
        }
        guard block.hash == certificate.blockHash else {
            return refuse(.badCertificate("certificate is for block \(certificate.blockHash), not \(block.hash)"))
        }
        do {
            try certificate.verify(validators: validators!, chainId: config.chainId)
        } catch {
            return refuse(.badCertificate("\(error)"))
        }
        decide(block, certificate)
    }
}
