import QuorateCore
import QuorateCrypto

/// A proposal as it travels between validators: the proposal's fields, the block's header and
/// last commit, and the block's transactions named by hash in the proposer's order. Every
/// validator holds nearly all of them in its pool already (their senders recovered), so sending
/// 32 bytes instead of about 110 per transfer saves the bandwidth and, on receipt, the decoding
/// and hashing of each one. The receiver rebuilds the `Proposal` from its pool
/// (`proposal(transactions:)`); the signature covers the header's hash, which commits to the
/// transactions root, so a wrong or reordered list yields a block that validation refuses.
public struct CompactProposal: Equatable, Sendable {
    public let height: UInt64
    public let round: UInt32
    public let validRound: UInt32?
    public let header: BlockHeader
    public let lastCommit: CommitCertificate?
    /// The block's transactions in block order; no hash twice, at most `Block.maxTransactions`.
    public let transactionHashes: [Hash32]
    public let proposer: Address
    public let signature: Secp256k1.RecoverableSignature

    public init(_ proposal: Proposal) {
        self.init(height: proposal.height, round: proposal.round, validRound: proposal.validRound,
                  header: proposal.block.header, lastCommit: proposal.block.lastCommit,
                  transactionHashes: proposal.block.transactions.map(\.hash), proposer: proposal.proposer,
                  signature: proposal.signature)
    }

    public init(height: UInt64, round: UInt32, validRound: UInt32?, header: BlockHeader, lastCommit: CommitCertificate?,
                transactionHashes: [Hash32], proposer: Address, signature: Secp256k1.RecoverableSignature) {
        self.height = height
        self.round = round
        self.validRound = validRound
        self.header = header
        self.lastCommit = lastCommit
        self.transactionHashes = transactionHashes
        self.proposer = proposer
        self.signature = signature
    }

    public var blockHash: Hash32 { header.hash }

    /// True when the signature recovers to `proposer` over the proposal's signed bytes (the same
    /// bytes as the full proposal's: the header's hash stands for the block).
    public func hasValidSignature(chainId: UInt64) -> Bool {
        Proposal.isSigned(signature, by: proposer, chainId: chainId, height: height, round: round,
                          validRound: validRound, blockHash: blockHash)
    }

    /// The full proposal, with `transactions` in the order of `transactionHashes` (each the one
    /// its hash names: the caller looked them up by these hashes).
    public func proposal(transactions: [Transaction]) -> Proposal {
        precondition(transactions.count == transactionHashes.count, "one transaction per listed hash")
        precondition(zip(transactions, transactionHashes).allSatisfy { $0.hash == $1 }, "transactions in the listed order")
        return Proposal(height: height, round: round, validRound: validRound,
                        block: Block(header: header, transactions: transactions, lastCommit: lastCommit),
                        proposer: proposer, signature: signature)
    }
}

/// Wire form: RLP `[3, height, round, [validRound] or [], header, [lastCommit] or [], hashes,
/// proposer, signature65]`, where `hashes` is one byte string of the 32-byte hashes back to back
/// (one RLP header for the list instead of one per hash). Kind 3 sits beside `ConsensusMessage`'s
/// kinds 1 (full proposal) and 2 (vote), so it travels as an ordinary consensus payload: the P2P
/// layer keeps carrying consensus bytes it does not read, and the relay's seen-set covers these
/// bytes as it covers a vote's (see `ConsensusWire`).
extension CompactProposal {
    public static let kind: UInt64 = 3
    /// The hash list at its limit plus 1 MiB for the rest (a header is under 1 KiB, a certificate
    /// of `ValidatorSet.maxValidators` signatures under 30 KiB): about 4.2 MB, below the P2P
    /// layer's largest message (`MessageFraming.maxMessageBytes`, sized for a full block).
    public static let maxEncodedBytes = Block.maxTransactions * 32 + (1 << 20)

    public func encoded() -> [UInt8] {
        var hashes: [UInt8] = []
        hashes.reserveCapacity(32 * transactionHashes.count)
        for hash in transactionHashes { hashes += hash.bytes }
        return RLP.encode(.list([
            RLPItem(CompactProposal.kind), RLPItem(height), RLPItem(UInt64(round)),
            .list(validRound.map { [RLPItem(UInt64($0))] } ?? []),
            header.rlp, .list(lastCommit.map { [$0.rlp] } ?? []),
            RLPItem(bytes: hashes), RLPItem(proposer), RLPItem(bytes: signature.compact65),
        ]))
    }

    public init(decoding bytes: [UInt8]) throws {
        guard bytes.count <= CompactProposal.maxEncodedBytes else {
            throw RLPError(description: "compact proposal of \(bytes.count) bytes exceeds the limit of \(CompactProposal.maxEncodedBytes)")
        }
        try self.init(fields: try RLP.decode(bytes).listValue())
    }

    /// From the fields of a decoded consensus payload whose kind is 3.
    init(fields f: [RLPItem]) throws {
        guard f.count == 9 else { throw RLPError(description: "compact proposal: expected 9 fields, got \(f.count)") }
        guard try f[0].uint64Value() == CompactProposal.kind else { throw RLPError(description: "compact proposal: wrong kind") }
        let validRound = try f[3].listValue()
        guard validRound.count <= 1 else { throw RLPError(description: "compact proposal: malformed valid round") }
        let commit = try f[5].listValue()
        guard commit.count <= 1 else { throw RLPError(description: "compact proposal: malformed last commit") }
        self.init(height: try f[1].uint64Value(), round: try VoteWire.round(f[2]),
                  validRound: try validRound.first.map(VoteWire.round), header: try BlockHeader(rlp: f[4]),
                  lastCommit: try commit.first.map { try CommitCertificate(rlp: $0) },
                  transactionHashes: try CompactProposal.hashes(f[6].bytesValue()), proposer: try f[7].addressValue(),
                  signature: try Secp256k1.RecoverableSignature(compact65: try f[8].bytesValue()))
    }

    /// The hash list, refused when its length is not a whole number of hashes, when it names
    /// more than a block may hold, or when it names a transaction twice (no valid block does,
    /// and a receiver would otherwise fetch and hold one transaction for two places).
    static func hashes(_ bytes: [UInt8]) throws -> [Hash32] {
        guard bytes.count % 32 == 0 else {
            throw RLPError(description: "compact proposal: hash list of \(bytes.count) bytes is not a whole number of 32-byte hashes")
        }
        let count = bytes.count / 32
        guard count <= Block.maxTransactions else {
            throw RLPError(description: "compact proposal lists \(count) transactions, over the limit of \(Block.maxTransactions)")
        }
        var hashes: [Hash32] = []
        hashes.reserveCapacity(count)
        var seen = Set<Hash32>(minimumCapacity: count)
        for start in stride(from: 0, to: bytes.count, by: 32) {
            let hash = Hash32(Array(bytes[start..<start + 32]))
            guard seen.insert(hash).inserted else {
                throw RLPError(description: "compact proposal lists transaction \(hash) twice (at position \(hashes.count))")
            }
            hashes.append(hash)
        }
        return hashes
    }
}

/// What a consensus payload on the wire holds: a vote, or a proposal in its compact form. Full
/// proposals (kind 1) stay the form of the hard state (`HardState`) and of the machine, never of
/// the wire: a peer sending one is refused, so that no peer makes every validator decode and
/// hash a whole block again.
public enum ConsensusWire: Equatable, Sendable {
    case vote(Vote)
    case compactProposal(CompactProposal)

    /// The largest payload: a compact proposal (a vote is about 150 bytes).
    public static let maxEncodedBytes = CompactProposal.maxEncodedBytes

    /// The wire bytes of a message the machine sends: a proposal goes compact.
    public static func encoded(_ message: ConsensusMessage) -> [UInt8] {
        switch message {
        case .proposal(let p): CompactProposal(p).encoded()
        case .vote: message.encoded()
        }
    }

    public init(decoding bytes: [UInt8]) throws {
        guard bytes.count <= ConsensusWire.maxEncodedBytes else {
            throw RLPError(description: "consensus payload of \(bytes.count) bytes exceeds the limit of \(ConsensusWire.maxEncodedBytes)")
        }
        let f = try RLP.decode(bytes).listValue()
        guard let kind = try f.first?.uint64Value() else { throw RLPError(description: "consensus payload: empty") }
        switch kind {
        case ConsensusMessage.voteKind:
            self = .vote(try VoteWire.vote(Array(f.dropFirst())))
        case CompactProposal.kind:
            self = .compactProposal(try CompactProposal(fields: f))
        case ConsensusMessage.proposalKind:
            throw RLPError(description: "consensus payload: a full proposal; proposals travel compact (kind \(CompactProposal.kind))")
        default:
            throw RLPError(description: "consensus payload: unknown kind \(kind)")
        }
    }
}
