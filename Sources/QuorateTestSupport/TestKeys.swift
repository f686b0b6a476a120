import QuorateCore
import QuorateCrypto

/// Deterministic keys from fixed bytes: key(i) is the private key i (1...255).
public enum TestKeys {
    public static func key(_ i: UInt8) -> Secp256k1.PrivateKey {
        precondition(i > 0, "the private key 0 is not a key")
        return try! Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [i])
    }

    public static func address(_ key: Secp256k1.PrivateKey) -> Address { Address(key.publicKey.ethereumAddress) }

    /// Keys firstKey..., and their validator set (sorted by address), equal powers unless given.
    public static func validators(_ n: Int, powers: [UInt64]? = nil, firstKey: UInt8 = 1) -> (keys: [Secp256k1.PrivateKey], set: ValidatorSet) {
        let keys = (0..<n).map { key(firstKey + UInt8($0)) }
        let validators = keys.enumerated().map { i, k in
            Validator(address: address(k), nodeKey: k.publicKey.compressed, power: powers?[i] ?? 1)
        }
        return (keys, try! ValidatorSet(validators))
    }

    /// A commit certificate signed by `signers` for (height, round, block).
    public static func certificate(height: UInt64, round: UInt32 = 0, block: Hash32, signers: [Secp256k1.PrivateKey],
                                   chainId: UInt64) throws -> CommitCertificate {
        CommitCertificate(precommits: try signers.map {
            try Vote.sign(chainId: chainId, type: .precommit, height: height, round: round, blockHash: block, key: $0)
        })
    }

    public static func hash(_ byte: UInt8) -> Hash32 { Hash32([UInt8](repeating: byte, count: 32)) }
    public static func addr(_ byte: UInt8) -> Address { Address([UInt8](repeating: byte, count: 20)) }
}
