import QuorateCore

/// What `quorate_` RPC methods and metrics show about consensus.
public struct ConsensusStatus: Equatable, Sendable {
    public var height: UInt64
    public var round: UInt32
    public var step: ConsensusStep
    public var proposer: Address?
    public var lockedRound: UInt32?
    public var lockedBlockHash: Hash32?
    public var validRound: UInt32?
    /// Validators whose prevote / precommit of the current round has not arrived, by address.
    public var missingPrevotes: [Address]
    public var missingPrecommits: [Address]
    /// Double-sign evidence gathered at this height.
    public var evidence: [DoubleSignEvidence]
}

extension ConsensusMachine {
    public var status: ConsensusStatus {
        let current = log.round(round)
        let all = validators?.validators.map(\.address) ?? []
        return ConsensusStatus(
            height: height, round: round, step: step,
            proposer: validators?.proposer(height: height, round: round),
            lockedRound: lockedRound, lockedBlockHash: lockedBlockHash, validRound: validRound,
            missingPrevotes: all.filter { current?.prevotes.existingVote(of: $0) == nil },
            missingPrecommits: all.filter { current?.precommits.existingVote(of: $0) == nil },
            evidence: log.evidence)
    }
}
