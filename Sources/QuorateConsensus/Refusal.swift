import QuorateCore

/// Why an input was not taken. None of these change the machine's memory beyond what the
/// description says; all of them are normal on a real network and need no action from an
/// operator unless one validator causes many.
public enum Refusal: Equatable, Sendable, CustomStringConvertible {
    case notStarted
    case heightBehind(UInt64, current: UInt64)
    case heightTooFarAhead(UInt64, current: UInt64, limit: UInt64)
    case futureBufferFull(Address)
    case roundTooFarAhead(UInt32, current: UInt32, limit: UInt32)
    case roundPruned(UInt32, oldestKept: UInt32)
    case notAValidator(Address)
    case badSignature(Address)
    case duplicate
    case conflictingVote(Address)
    case wrongProposer(Address, expected: Address)
    case conflictingProposal(Address)
    case invalidValidRound(UInt32?, round: UInt32)
    case blockDoesNotMatch(String)
    case alreadyDecided
    case unexpectedAnswer(String)
    case badCertificate(String)
    case hardStateAhead(UInt64, height: UInt64)
    case heightNotAhead(UInt64, current: UInt64)

    public var description: String {
        switch self {
        case .notStarted:
            "consensus has not started: the node must send .startHeight first"
        case .heightBehind(let h, let current):
            "message for height \(h), which is below the current height \(current)"
        case .heightTooFarAhead(let h, let current, let limit):
            "message for height \(h) is more than \(limit) ahead of the current height \(current); the sender will re-send it"
        case .futureBufferFull(let signer):
            "the buffer for the next height already holds the most messages allowed from \(signer)"
        case .roundTooFarAhead(let r, let current, let limit):
            "message for round \(r) is more than \(limit) rounds ahead of round \(current): counted toward a round skip, not stored"
        case .roundPruned(let r, let oldest):
            "message for round \(r), older than the oldest round kept (\(oldest))"
        case .notAValidator(let a):
            "\(a) is not a validator at this height"
        case .badSignature(let a):
            "signature does not verify for \(a) (wrong chain id, altered fields or a forged sender)"
        case .duplicate:
            "duplicate of a message already taken"
        case .conflictingVote(let a):
            "\(a) already voted differently in this round and step: kept as evidence, not counted"
        case .wrongProposer(let a, let expected):
            "proposal signed by \(a), but the proposer of this round is \(expected)"
        case .conflictingProposal(let a):
            "\(a) already proposed a different block for this round; the first proposal stands"
        case .invalidValidRound(let vr, let round):
            "proposal's valid round \(vr.map(String.init) ?? "none") is not below its round \(round)"
        case .blockDoesNotMatch(let reason):
            "proposed block does not fit the proposal: \(reason)"
        case .alreadyDecided:
            "this height is already decided"
        case .unexpectedAnswer(let reason):
            "answer does not match an open request: \(reason)"
        case .badCertificate(let reason):
            "commit certificate refused: \(reason)"
        case .heightNotAhead(let h, let current):
            "asked to start height \(h), but consensus is already at height \(current); heights only move forward"
        case .hardStateAhead(let stored, let height):
            "the stored consensus state is for height \(stored) but the node asked to start height \(height): the block store is behind the consensus state; restore the data directory from one backup or resync it"
        }
    }
}
