import QuorateCore
import QuorateCrypto

/// What validators send each other about consensus.
public enum ConsensusMessage: Equatable, Sendable {
    case proposal(Proposal)
    case vote(Vote)

    public var height: UInt64 {
        switch self {
        case .proposal(let p): p.height
        case .vote(let v): v.height
        }
    }

    public var round: UInt32 {
        switch self {
        case .proposal(let p): p.round
        case .vote(let v): v.round
        }
    }

    /// The validator whose signature the message carries.
    public var signer: Address {
        switch self {
        case .proposal(let p): p.proposer
        case .vote(let v): v.validator
        }
    }
}

/// Wire form: RLP `[kind, fields...]`. Kind 1 is a proposal, 2 a vote.
extension ConsensusMessage {
    /// A proposal carries a block; nothing else is large.
    public static let maxEncodedBytes = Block.maxEncodedBytes + 1024

    static let proposalKind: UInt64 = 1
    static let voteKind: UInt64 = 2

    public func encoded() -> [UInt8] {
        switch self {
        case .proposal(let p):
            return RLP.encode(.list([
                RLPItem(ConsensusMessage.proposalKind), RLPItem(p.height), RLPItem(UInt64(p.round)),
                .list(p.validRound.map { [RLPItem(UInt64($0))] } ?? []),
                RLPItem(bytes: p.block.encoded()), RLPItem(p.proposer), RLPItem(bytes: p.signature.compact65),
            ]))
        case .vote(let v):
            return RLP.encode(.list([RLPItem(ConsensusMessage.voteKind)] + VoteWire.fields(v)))
        }
    }

    public init(decoding bytes: [UInt8]) throws {
        guard bytes.count <= ConsensusMessage.maxEncodedBytes else {
            throw RLPError(description: "consensus message of \(bytes.count) bytes exceeds the limit of \(ConsensusMessage.maxEncodedBytes)")
        }
        let f = try RLP.decode(bytes).listValue()
        guard let kind = try f.first?.uint64Value() else { throw RLPError(description: "consensus message: empty") }
        switch kind {
        case ConsensusMessage.proposalKind:
            guard f.count == 7 else { throw RLPError(description: "proposal: expected 7 fields, got \(f.count)") }
            let validRound = try f[3].listValue()
            guard validRound.count <= 1 else { throw RLPError(description: "proposal: malformed valid round") }
            self = .proposal(Proposal(
                height: try f[1].uint64Value(), round: try VoteWire.round(f[2]),
                validRound: try validRound.first.map(VoteWire.round),
                block: try Block(decoding: try f[4].bytesValue()), proposer: try f[5].addressValue(),
                signature: try Secp256k1.RecoverableSignature(compact65: try f[6].bytesValue())))
        case ConsensusMessage.voteKind:
            self = .vote(try VoteWire.vote(Array(f.dropFirst())))
        default:
            throw RLPError(description: "consensus message: unknown kind \(kind)")
        }
    }
}

/// RLP fields of a vote: `[type, height, round, [blockHash] or [], validator, signature65]`.
/// Internal so that it cannot collide with an encoding QuorateCore may define for `Vote` later.
enum VoteWire {
    static func fields(_ v: Vote) -> [RLPItem] {
        [
            RLPItem(UInt64(v.type.rawValue)), RLPItem(v.height), RLPItem(UInt64(v.round)),
            .list(v.blockHash.map { [RLPItem($0)] } ?? []),
            RLPItem(v.validator), RLPItem(bytes: v.signature.compact65),
        ]
    }

    static func vote(_ f: [RLPItem]) throws -> Vote {
        guard f.count == 6 else { throw RLPError(description: "vote: expected 6 fields, got \(f.count)") }
        guard let type = VoteType(rawValue: UInt8(clamping: try f[0].uint64Value())) else {
            throw RLPError(description: "vote: unknown vote type")
        }
        let hash = try f[3].listValue()
        guard hash.count <= 1 else { throw RLPError(description: "vote: malformed block hash") }
        return Vote(type: type, height: try f[1].uint64Value(), round: try round(f[2]),
                    blockHash: try hash.first?.hash32Value(), validator: try f[4].addressValue(),
                    signature: try Secp256k1.RecoverableSignature(compact65: try f[5].bytesValue()))
    }

    static func round(_ item: RLPItem) throws -> UInt32 {
        let value = try item.uint64Value()
        guard value <= UInt64(UInt32.max) else { throw RLPError(description: "round \(value) is out of range") }
        return UInt32(value)
    }
}
