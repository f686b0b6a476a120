import QuorateCore

/// Everything the caller must do after one input, in this order (etcd raft's `Ready`):
///
/// 1. `hardState`: if present, write it and sync it to disk. Nothing below may leave the
///    process before this write is durable: the messages were signed against it.
/// 2. `messages`: send them, in order.
/// 3. `timeouts`: schedule each; when one fires, hand it back as `.timeout(request)`.
/// 4. `committed`: store the block with its certificate, then start the next height.
/// 5. `requests`: carry them out; build and validate answer with an input later.
///
/// `evidence` and `refusal` are for logs, metrics and peer scoring; they need no action.
public struct Ready: Sendable {
    public var hardState: HardState?
    public var messages: [OutboundMessage] = []
    public var timeouts: [TimeoutRequest] = []
    public var committed: CommittedBlock?
    public var requests: [ConsensusRequest] = []
    public var evidence: [DoubleSignEvidence] = []
    /// Why the input was not taken, when it was not.
    public var refusal: Refusal?

    public init() {}

    public var isEmpty: Bool {
        hardState == nil && messages.isEmpty && timeouts.isEmpty && committed == nil && requests.isEmpty
            && evidence.isEmpty && refusal == nil
    }
}

public enum OutboundMessage: Equatable, Sendable {
    /// To every validator (and observer) of the height.
    case broadcast(ConsensusMessage)
    /// To one validator only: votes that let a validator in an earlier round catch up.
    case send(ConsensusMessage, to: Address)

    public var message: ConsensusMessage {
        switch self {
        case .broadcast(let m), .send(let m, _): m
        }
    }
}

public enum TimeoutKind: UInt8, Sendable, CustomStringConvertible {
    case propose = 1
    case prevote = 2
    case precommit = 3
    /// Periodic re-send of this validator's own latest messages, so that a lost message does
    /// not stall a round (the paper assumes reliable gossip; networks lose messages).
    case rebroadcast = 4

    public var description: String {
        switch self {
        case .propose: "propose"
        case .prevote: "prevote"
        case .precommit: "precommit"
        case .rebroadcast: "rebroadcast"
        }
    }
}

/// "Call me back with this value after `durationMs`." For `.rebroadcast`, `round` is a sequence
/// number, so that a timer delivered twice does not start a second chain of timers.
public struct TimeoutRequest: Equatable, Hashable, Sendable {
    public var kind: TimeoutKind
    public var height: UInt64
    public var round: UInt32
    public var durationMs: UInt64

    public init(kind: TimeoutKind, height: UInt64, round: UInt32, durationMs: UInt64) {
        self.kind = kind
        self.height = height
        self.round = round
        self.durationMs = durationMs
    }
}

public enum ConsensusRequest: Equatable, Sendable {
    /// This validator proposes at (height, round) and has no valid value to re-propose: build a
    /// block on the last committed one and answer `.blockBuilt`.
    case buildBlock(height: UInt64, round: UInt32)
    /// A proposed block needs the node's verdict (execute it against the parent state, compare
    /// roots, check the timestamp bound): answer `.blockValidated`. The paper's `valid(v)`.
    case validateBlock(Block)
    /// `validator` sent a message for `height`, which this node has already committed: send it
    /// that block with its certificate through block sync, and it will commit too.
    case syncPeer(Address, height: UInt64)
    /// `validator` is at a later height than this node: fetch blocks from `height` on from it
    /// through block sync, and hand each to the machine as `.commitProof`.
    case fetchBlocks(from: Address, height: UInt64)
}

/// A decided block and the 2f+1 precommits that prove it.
public struct CommittedBlock: Equatable, Sendable {
    public var block: Block
    public var certificate: CommitCertificate

    public init(block: Block, certificate: CommitCertificate) {
        self.block = block
        self.certificate = certificate
    }
}

/// Two votes of one validator for one (height, round, type) and different blocks: proof that the
/// validator is faulty. Kept (bounded) and counted once.
public struct DoubleSignEvidence: Equatable, Sendable {
    public var first: Vote
    public var second: Vote
}
