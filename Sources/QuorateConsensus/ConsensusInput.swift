import QuorateCore

public enum ConsensusInput: Sendable {
    /// Begin `height` with its validator set. `restoring` is the hard state read from disk at
    /// start-up; when it is for this height the machine resumes where it stopped (re-sending what
    /// it signed), otherwise it is ignored. Also moves the machine forward after a commit, or
    /// after block sync has applied blocks the machine did not decide.
    case startHeight(UInt64, validators: ValidatorSet, restoring: HardState?)
    /// A proposal or vote from the network (or this node's own, looped back: it is refused as a duplicate).
    case message(ConsensusMessage)
    /// A timeout scheduled by an earlier `Ready` has fired.
    case timeout(TimeoutRequest)
    /// The answer to `.buildBlock(height, round)`.
    case blockBuilt(Block, height: UInt64, round: UInt32)
    /// The answer to `.validateBlock`.
    case blockValidated(Hash32, valid: Bool)
    /// A block with its certificate, from block sync: commits the current height at once when the
    /// certificate verifies against this height's validators.
    case commitProof(Block, CommitCertificate)
}
