import QuorateCore
import QuorateCrypto

/// A signed proposal of one block for (height, round): the paper's ⟨PROPOSAL, h, r, v, vr⟩.
///
/// The block travels with the proposal; the signature covers its hash, so a relay cannot swap
/// the block without breaking the signature.
public struct Proposal: Sendable {
    public let height: UInt64
    public let round: UInt32
    /// The round in which the proposer saw 2f+1 prevotes for this block (the paper's `vr`), or nil
    /// for a block proposed fresh (the paper's -1).
    public let validRound: UInt32?
    public let block: Block
    /// `block.hash`, computed once: the header is hashed on every access otherwise.
    public let blockHash: Hash32
    public let proposer: Address
    public let signature: Secp256k1.RecoverableSignature

    public init(height: UInt64, round: UInt32, validRound: UInt32?, block: Block, proposer: Address,
                signature: Secp256k1.RecoverableSignature) {
        self.height = height
        self.round = round
        self.validRound = validRound
        self.block = block
        self.blockHash = block.hash
        self.proposer = proposer
        self.signature = signature
    }

    /// Canonical bytes a proposer signs: the proposal domain tag, the chain id, then fixed-width
    /// big-endian height, round, a presence byte and the valid round, and the block hash.
    /// The domain tag differs from the vote's, so no proposal's bytes are ever a vote's.
    public static func signBytes(chainId: UInt64, height: UInt64, round: UInt32, validRound: UInt32?,
                                 blockHash: Hash32) -> [UInt8] {
        var out = SignDomain.proposal
        out.appendBigEndian(chainId)
        out.appendBigEndian(height)
        out.appendBigEndian(round)
        out.append(validRound == nil ? 0 : 1)
        out.appendBigEndian(validRound ?? 0)
        out.append(contentsOf: blockHash.bytes)
        return out
    }

    public static func sign(chainId: UInt64, height: UInt64, round: UInt32, validRound: UInt32?, block: Block,
                            key: Secp256k1.PrivateKey) throws -> Proposal {
        let hash = block.hash
        let digest = Keccak256.hash(signBytes(chainId: chainId, height: height, round: round, validRound: validRound,
                                              blockHash: hash))
        return Proposal(height: height, round: round, validRound: validRound, block: block,
                        proposer: Address(key.publicKey.ethereumAddress), signature: try key.sign(hash: digest))
    }

    /// True when the signature recovers to `proposer` for these exact fields on `chainId`.
    public func hasValidSignature(chainId: UInt64) -> Bool {
        Proposal.isSigned(signature, by: proposer, chainId: chainId, height: height, round: round,
                          validRound: validRound, blockHash: blockHash)
    }

    /// Whether `signature` recovers to `proposer` over these fields' sign bytes: the check of a
    /// full proposal and of its compact form on the wire.
    public static func isSigned(_ signature: Secp256k1.RecoverableSignature, by proposer: Address, chainId: UInt64,
                                height: UInt64, round: UInt32, validRound: UInt32?, blockHash: Hash32) -> Bool {
        let digest = Keccak256.hash(signBytes(chainId: chainId, height: height, round: round,
                                              validRound: validRound, blockHash: blockHash))
        guard let recovered = try? signature.recoverPublicKey(hash: digest) else { return false }
        return recovered.ethereumAddress == proposer.bytes
    }
}

extension Proposal: Equatable {
    /// The block hash stands for the block: comparing whole blocks would be slow and says nothing more.
    public static func == (a: Proposal, b: Proposal) -> Bool {
        a.height == b.height && a.round == b.round && a.validRound == b.validRound && a.blockHash == b.blockHash
            && a.proposer == b.proposer && a.signature == b.signature
    }
}
