import QuorateCore
import QuorateCrypto

/// Tendermint's BFT consensus (Buchman, Kwon, Milosevic, "The latest gossip on BFT consensus",
/// 2018, Algorithm 1) for one validator, one height at a time, as a value: `handle` takes an
/// input and returns a `Ready` listing what to persist, send, schedule and ask the node. No
/// clock, socket, disk or random source inside; nothing unordered reaches an output.
///
/// Comments cite the paper's line numbers. The transitions live in extensions by topic:
/// admission of messages, the upon-rules, rounds and timeouts, signing, gossip.
public struct ConsensusMachine: Sendable {
    public let config: ConsensusConfig
    let me: Address?

    // MARK: Height state (the paper's h_p, round_p, step_p and the four lock variables)

    public internal(set) var height: UInt64 = 0 { didSet { hardStateChanged = true } }
    public internal(set) var round: UInt32 = 0 { didSet { hardStateChanged = true } }
    public internal(set) var step: ConsensusStep = .propose { didSet { hardStateChanged = true } }
    public internal(set) var lockedRound: UInt32? { didSet { hardStateChanged = true } }
    public internal(set) var lockedBlockHash: Hash32? { didSet { hardStateChanged = true } }
    public internal(set) var validRound: UInt32? { didSet { hardStateChanged = true } }
    public internal(set) var validBlock: Block? { didSet { hardStateChanged = true } }
    /// The 2f+1 prevotes for `validBlock` in `validRound`: sent along when re-proposing it, since
    /// line 28 needs them and the network may have lost them (see ConsensusMachine+Gossip.swift).
    var validRoundPrevotes: [Vote] = [] { didSet { hardStateChanged = true } }
    /// What this validator signed at `height`: never sign anything else for the same round and step.
    var lastProposal: Proposal? { didSet { hardStateChanged = true } }
    var lastPrevote: Vote? { didSet { hardStateChanged = true } }
    var lastPrecommit: Vote? { didSet { hardStateChanged = true } }

    /// Nil until the first `.startHeight`.
    public internal(set) var validators: ValidatorSet?
    /// This validator's voting power at `height`; 0 for an observer.
    var myPower: UInt64 = 0

    // MARK: What peers said at this height, and the node's answers

    var log: MessageLog
    /// The paper's valid(v), by block hash, as the node answered.
    var validity: [Hash32: Bool] = [:]
    var validationRequested: Set<Hash32> = []
    var future = FutureHeightBuffer()
    /// (round, block) pairs that gathered 2f+1 precommits: candidates for line 49.
    var decisionCandidates: [(round: UInt32, hash: Hash32)] = []

    // MARK: "For the first time" guards of lines 34, 36 and 47, reset by StartRound

    var prevoteTimeoutScheduled = false
    var polkaHandledThisRound = false
    var precommitTimeoutScheduled = false

    // MARK: Gossip (see ConsensusMachine+Gossip.swift)

    var tickSequence: UInt32 = 0
    var ticksAtHeight: UInt32 = 0
    var decidedAtTick: UInt32?
    var helpedThisTick: Set<Address> = []
    var syncRequestedThisTick: Set<Address> = []
    var fetchRequestedThisTick = false

    // MARK: Output of the input being handled

    var out = Ready()
    var hardStateChanged = false

    public init(config: ConsensusConfig) {
        self.config = config
        self.me = config.signerAddress
        self.log = MessageLog(limits: config.limits)
        hardStateChanged = false
    }

    /// Takes one input; returns what the caller must do, in the order `Ready` documents.
    public mutating func handle(_ input: ConsensusInput) -> Ready {
        out = Ready()
        switch input {
        case .startHeight(let h, let validators, let restoring):
            startHeight(h, validators: validators, restoring: restoring)
        case .message(let message):
            guard validators != nil else { return refused(.notStarted) }
            admit(message)
        case .timeout(let request):
            guard validators != nil else { return refused(.notStarted) }
            timeoutFired(request)
        case .blockBuilt(let block, let h, let r):
            guard validators != nil else { return refused(.notStarted) }
            blockBuilt(block, height: h, round: r)
        case .blockValidated(let hash, let valid):
            guard validators != nil else { return refused(.notStarted) }
            blockValidated(hash, valid: valid)
        case .commitProof(let block, let certificate):
            guard validators != nil else { return refused(.notStarted) }
            commitProof(block, certificate)
        }
        progress()
        if hardStateChanged, validators != nil {
            out.hardState = hardState
            hardStateChanged = false
        }
        let ready = out
        out = Ready()
        return ready
    }

    /// The state to persist: everything needed to resume without signing twice.
    public var hardState: HardState {
        HardState(height: height, round: round, step: step, lockedRound: lockedRound, lockedBlockHash: lockedBlockHash,
                  validRound: validRound, validBlock: validBlock, validRoundPrevotes: validRoundPrevotes,
                  lastProposal: lastProposal,
                  lastPrevote: lastPrevote, lastPrecommit: lastPrecommit)
    }

    var quorum: UInt64 { validators!.quorumPower }
    var isVoting: Bool { myPower > 0 }
    var isProposer: Bool { me != nil && isVoting && validators!.proposer(height: height, round: round) == me }

    mutating func refuse(_ reason: Refusal) { out.refusal = reason }

    private mutating func refused(_ reason: Refusal) -> Ready {
        out.refusal = reason
        let ready = out
        out = Ready()
        return ready
    }
}
