import QuorateCrypto

public enum VoteType: UInt8, Sendable {
    case prevote = 1
    case precommit = 2
}

/// A signed prevote or precommit. `blockHash == nil` is a vote for nil.
public struct Vote: Equatable, Sendable {
    public var type: VoteType
    public var height: UInt64
    public var round: UInt32
    public var blockHash: Hash32?
    public var validator: Address
    public var signature: Secp256k1.RecoverableSignature

    public init(type: VoteType, height: UInt64, round: UInt32, blockHash: Hash32?, validator: Address,
                signature: Secp256k1.RecoverableSignature) {
        self.type = type
        self.height = height
        self.round = round
        self.blockHash = blockHash
        self.validator = validator
        self.signature = signature
    }

    /// Canonical bytes a validator signs: a domain tag, then fixed-width big-endian fields, so that
    /// no two different votes (or a vote and any other signed message) share sign bytes.
    public static func signBytes(chainId: UInt64, type: VoteType, height: UInt64, round: UInt32,
                                 blockHash: Hash32?) -> [UInt8] {
        var out = SignDomain.vote
        out.appendBigEndian(chainId)
        out.append(type.rawValue)
        out.appendBigEndian(height)
        out.appendBigEndian(round)
        out.append(blockHash == nil ? 0 : 1)
        out.append(contentsOf: blockHash?.bytes ?? Hash32.zero.bytes)
        return out
    }

    public static func sign(chainId: UInt64, type: VoteType, height: UInt64, round: UInt32, blockHash: Hash32?,
                            key: Secp256k1.PrivateKey) throws -> Vote {
        let digest = Keccak256.hash(signBytes(chainId: chainId, type: type, height: height, round: round,
                                              blockHash: blockHash))
        return Vote(type: type, height: height, round: round, blockHash: blockHash,
                    validator: Address(key.publicKey.ethereumAddress), signature: try key.sign(hash: digest))
    }

    /// True when the signature recovers to `validator` for these exact fields on `chainId`.
    public func hasValidSignature(chainId: UInt64) -> Bool {
        let digest = Keccak256.hash(Vote.signBytes(chainId: chainId, type: type, height: height, round: round,
                                                   blockHash: blockHash))
        guard let recovered = try? signature.recoverPublicKey(hash: digest) else { return false }
        return recovered.ethereumAddress == validator.bytes
    }
}

/// Domain tags for everything a validator signs; each ends in a version so a format change
/// cannot make an old signature valid for new bytes.
public enum SignDomain {
    public static let vote = Array("quorate/vote/v1\u{0}".utf8)
    public static let proposal = Array("quorate/proposal/v1\u{0}".utf8)
}

extension Array where Element == UInt8 {
    public mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}
