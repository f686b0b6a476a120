import QuorateCore
import QuorateCrypto

/// What a validator must find on disk after a crash so that it never signs two different things
/// for one (height, round, step), keeps its lock, and can re-send what it signed.
///
/// The node writes it (synced) whenever a `Ready` carries one, before sending anything in that
/// `Ready`.
public struct HardState: Equatable, Sendable {
    public var height: UInt64
    public var round: UInt32
    public var step: ConsensusStep
    /// The paper's lockedRound/lockedValue; nil is -1/nil. Only the hash is needed to vote.
    public var lockedRound: UInt32?
    public var lockedBlockHash: Hash32?
    /// The paper's validRound/validValue. The block itself is kept so that, as proposer after a
    /// restart, the validator can re-propose it (line 15) rather than drop it.
    public var validRound: UInt32?
    public var validBlock: Block?
    /// The 2f+1 prevotes of `validRound` for `validBlock`, re-sent with a re-proposal.
    public var validRoundPrevotes: [Vote]
    /// The last proposal, prevote and precommit this validator signed at `height`.
    public var lastProposal: Proposal?
    public var lastPrevote: Vote?
    public var lastPrecommit: Vote?

    public init(height: UInt64, round: UInt32 = 0, step: ConsensusStep = .propose, lockedRound: UInt32? = nil,
                lockedBlockHash: Hash32? = nil, validRound: UInt32? = nil, validBlock: Block? = nil,
                validRoundPrevotes: [Vote] = [], lastProposal: Proposal? = nil, lastPrevote: Vote? = nil, lastPrecommit: Vote? = nil) {
        self.height = height
        self.round = round
        self.step = step
        self.lockedRound = lockedRound
        self.lockedBlockHash = lockedBlockHash
        self.validRound = validRound
        self.validBlock = validBlock
        self.validRoundPrevotes = validRoundPrevotes
        self.lastProposal = lastProposal
        self.lastPrevote = lastPrevote
        self.lastPrecommit = lastPrecommit
    }
}

extension HardState {
    /// Nothing signed or locked at its height. While the decided block's write is under way
    /// (overlapping heights) the node does not write such a state at all: the one on disk, of the
    /// decided height, restarts the node the same way, whereas writing it before the block is on
    /// disk would let a crash lose the decided height's votes while its block is lost too.
    public var holdsNothingSigned: Bool {
        lastProposal == nil && lastPrevote == nil && lastPrecommit == nil && lockedRound == nil && validRound == nil
    }
}

/// Encoding: RLP `[version, height, round, step, [lockedRound, lockedHash] or [],
/// [validRound, validBlock, [prevotes of validRound...]] or [], [proposal] or [], [prevote] or [],
/// [precommit] or []]`,
/// where a block and a proposal are their wire bytes. Version 1.
extension HardState {
    public static let encodingVersion: UInt64 = 1

    public func encoded() -> [UInt8] {
        RLP.encode(.list([
            RLPItem(HardState.encodingVersion), RLPItem(height), RLPItem(UInt64(round)), RLPItem(UInt64(step.rawValue)),
            .list(lockedRound.map { [RLPItem(UInt64($0)), RLPItem(lockedBlockHash ?? .zero)] } ?? []),
            .list(validRound.map {
                [RLPItem(UInt64($0)), RLPItem(bytes: validBlock?.encoded() ?? []), .list(validRoundPrevotes.map { .list(VoteWire.fields($0)) })]
            } ?? []),
            .list(lastProposal.map { [RLPItem(bytes: ConsensusMessage.proposal($0).encoded())] } ?? []),
            .list(lastPrevote.map { [.list(VoteWire.fields($0))] } ?? []),
            .list(lastPrecommit.map { [.list(VoteWire.fields($0))] } ?? []),
        ]))
    }

    /// Refuses anything it did not write: a node must not run on a consensus state it cannot read.
    public init(decoding bytes: [UInt8]) throws {
        let f = try RLP.decode(bytes).listValue()
        guard f.count == 9 else { throw HardStateError("expected 9 fields, got \(f.count)") }
        let version = try f[0].uint64Value()
        guard version == HardState.encodingVersion else {
            throw HardStateError("encoding version \(version) is not the supported version \(HardState.encodingVersion)")
        }
        guard let step = ConsensusStep(rawValue: UInt8(clamping: try f[3].uint64Value())) else {
            throw HardStateError("unknown step")
        }
        self.init(height: try f[1].uint64Value(), round: try VoteWire.round(f[2]), step: step)
        let locked = try f[4].listValue()
        if !locked.isEmpty {
            guard locked.count == 2 else { throw HardStateError("malformed lock") }
            lockedRound = try VoteWire.round(locked[0])
            lockedBlockHash = try locked[1].hash32Value()
        }
        let valid = try f[5].listValue()
        if !valid.isEmpty {
            guard valid.count == 3 else { throw HardStateError("malformed valid value") }
            validRound = try VoteWire.round(valid[0])
            validBlock = try Block(decoding: try valid[1].bytesValue())
            let prevotes = try valid[2].listValue()
            guard prevotes.count <= ValidatorSet.maxValidators else { throw HardStateError("too many valid-round prevotes") }
            validRoundPrevotes = try prevotes.map { try VoteWire.vote(try $0.listValue()) }
        }
        let proposal = try f[6].listValue()
        if let item = proposal.first {
            guard case .proposal(let p) = try ConsensusMessage(decoding: try item.bytesValue()) else {
                throw HardStateError("last proposal is not a proposal")
            }
            lastProposal = p
        }
        lastPrevote = try HardState.decodeVote(f[7], expecting: .prevote)
        lastPrecommit = try HardState.decodeVote(f[8], expecting: .precommit)
    }

    private static func decodeVote(_ item: RLPItem, expecting type: VoteType) throws -> Vote? {
        let list = try item.listValue()
        guard let first = list.first else { return nil }
        let vote = try VoteWire.vote(try first.listValue())
        guard vote.type == type else { throw HardStateError("last \(type) vote has the wrong type") }
        return vote
    }
}

public struct HardStateError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ reason: String) { description = "consensus hard state is unreadable: \(reason)" }
}
