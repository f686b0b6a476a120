import CSecp256k1

/// One context for the whole process. Since libsecp256k1 0.2 a context is read-only after
/// randomization, so sharing it between threads is safe (the library documents this).
/// Randomization blinds signing against timing and power side channels.
nonisolated(unsafe) let secp256k1Context: OpaquePointer = {
    guard let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
        preconditionFailure("secp256k1_context_create failed")
    }
    let seed = SecureRandom.bytes(32)
    let ok = seed.withUnsafeBufferPointer { secp256k1_context_randomize(context, $0.baseAddress) }
    precondition(ok == 1, "secp256k1_context_randomize failed")
    return context
}()

public enum Secp256k1 {
    /// The group order n, big-endian.
    static let order: [UInt8] = [
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
        0xBA, 0xAE, 0xDC, 0xE6, 0xAF, 0x48, 0xA0, 0x3B, 0xBF, 0xD2, 0x5E, 0x8C, 0xD0, 0x36, 0x41, 0x41,
    ]
    /// n / 2 (rounded down): the largest s a low-S signature may have (BIP-62, EIP-2).
    static let halfOrder: [UInt8] = [
        0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0x5D, 0x57, 0x6E, 0x73, 0x57, 0xA4, 0x50, 0x1D, 0xDF, 0xE9, 0x2F, 0x46, 0x68, 0x1B, 0x20, 0xA0,
    ]

    public struct PrivateKey: Sendable, CustomStringConvertible {
        public let bytes: [UInt8]
        /// Derived once: callers sign many times with one key and often want the address.
        public let publicKey: PublicKey

        public init(bytes: [UInt8]) throws {
            guard bytes.count == 32 else {
                throw CryptoError("secp256k1 private key must be 32 bytes, got \(bytes.count)")
            }
            guard secp256k1_ec_seckey_verify(secp256k1Context, bytes) == 1 else {
                throw CryptoError("secp256k1 private key is zero or not below the curve order")
            }
            var pubkey = secp256k1_pubkey()
            guard secp256k1_ec_pubkey_create(secp256k1Context, &pubkey, bytes) == 1 else {
                throw CryptoError("secp256k1 public key derivation failed")
            }
            self.bytes = bytes
            self.publicKey = PublicKey(parsed: pubkey)
        }

        public static func generate() -> PrivateKey {
            // A random 32-byte string is an invalid scalar with probability about 2^-128.
            while true {
                if let key = try? PrivateKey(bytes: SecureRandom.bytes(32)) { return key }
            }
        }

        /// Keeps the secret out of logs and debugger output.
        public var description: String { "Secp256k1.PrivateKey(\(publicKey.description))" }

        /// RFC 6979 deterministic nonce; libsecp256k1 always yields low-S.
        public func sign(hash: [UInt8]) throws -> RecoverableSignature {
            guard hash.count == 32 else { throw CryptoError("can only sign a 32-byte hash, got \(hash.count) bytes") }
            var sig = secp256k1_ecdsa_recoverable_signature()
            guard secp256k1_ecdsa_sign_recoverable(secp256k1Context, &sig, hash, bytes, nil, nil) == 1 else {
                throw CryptoError("secp256k1 signing failed")
            }
            var compact = [UInt8](repeating: 0, count: 64)
            var recid: Int32 = 0
            let ok = secp256k1_ecdsa_recoverable_signature_serialize_compact(secp256k1Context, &compact, &recid, &sig)
            precondition(ok == 1 && (0...3).contains(recid), "secp256k1 signature serialization failed")
            let signature = try RecoverableSignature(r: Array(compact[0..<32]), s: Array(compact[32..<64]),
                                                     recoveryId: UInt8(recid))
            precondition(signature.isLowS, "libsecp256k1 produced a high-S signature")
            return signature
        }

        /// BOLT 8 ECDH: SHA-256 of the compressed shared point (libsecp256k1's default hash).
        public func sharedSecret(with peer: PublicKey) throws -> [UInt8] {
            try ecdh(with: peer, hash: nil)
        }

        /// The shared point's x-coordinate, unhashed (what Wycheproof and most ECDH specs call
        /// the shared secret). Internal: the protocol uses only the hashed form.
        func sharedX(with peer: PublicKey) throws -> [UInt8] {
            try ecdh(with: peer) { output, x, _, _ in
                guard let output, let x else { return 0 }
                output.update(from: x, count: 32)
                return 1
            }
        }

        private func ecdh(with peer: PublicKey, hash: secp256k1_ecdh_hash_function?) throws -> [UInt8] {
            var pubkey = try peer.parsed()
            var out = [UInt8](repeating: 0, count: 32)
            guard secp256k1_ecdh(secp256k1Context, &out, &pubkey, bytes, hash, nil) == 1 else {
                throw CryptoError("secp256k1 ECDH failed")
            }
            return out
        }
    }

    public struct PublicKey: Sendable, Hashable, CustomStringConvertible {
        /// 65 bytes, 0x04 || x || y: one canonical form so that equality and hashing agree
        /// whichever encoding the key arrived in.
        public let uncompressed: [UInt8]

        public init(bytes: [UInt8]) throws {
            guard bytes.count == 33 || bytes.count == 65 else {
                throw CryptoError("secp256k1 public key must be 33 or 65 bytes, got \(bytes.count)")
            }
            var pubkey = secp256k1_pubkey()
            guard secp256k1_ec_pubkey_parse(secp256k1Context, &pubkey, bytes, bytes.count) == 1 else {
                throw CryptoError("invalid secp256k1 public key (bad prefix or not on the curve)")
            }
            self.init(parsed: pubkey)
        }

        init(parsed pubkey: secp256k1_pubkey) {
            var pubkey = pubkey
            var out = [UInt8](repeating: 0, count: 65)
            var length = 65
            let ok = secp256k1_ec_pubkey_serialize(secp256k1Context, &out, &length, &pubkey,
                                                   UInt32(SECP256K1_EC_UNCOMPRESSED))
            precondition(ok == 1 && length == 65, "secp256k1 public key serialization failed")
            uncompressed = out
        }

        /// Parsing an uncompressed key only checks that it is on the curve: cheap enough to
        /// redo per use, and it keeps the opaque C struct out of this value type.
        func parsed() throws -> secp256k1_pubkey {
            var pubkey = secp256k1_pubkey()
            guard secp256k1_ec_pubkey_parse(secp256k1Context, &pubkey, uncompressed, 65) == 1 else {
                throw CryptoError("invalid secp256k1 public key")
            }
            return pubkey
        }

        public var compressed: [UInt8] {
            [uncompressed[64] & 1 == 0 ? 0x02 : 0x03] + uncompressed[1..<33]
        }

        public var ethereumAddress: [UInt8] {
            Array(Keccak256.hash(Array(uncompressed[1...])).suffix(20))
        }

        public var description: String { Hex.encode(compressed) }

        /// Compact r || s. High-S is refused: libsecp256k1 verifies only the lower-S form.
        public func verify(signature64: [UInt8], hash: [UInt8]) -> Bool {
            guard signature64.count == 64, hash.count == 32, var pubkey = try? parsed() else { return false }
            var sig = secp256k1_ecdsa_signature()
            guard secp256k1_ecdsa_signature_parse_compact(secp256k1Context, &sig, signature64) == 1 else { return false }
            return secp256k1_ecdsa_verify(secp256k1Context, &sig, hash, &pubkey) == 1
        }

        /// Strict DER (libsecp256k1's parser rejects BER forms and trailing bytes); high-S is
        /// refused as bitcoin does since BIP-62/146.
        public func verifyDER(_ der: [UInt8], hash: [UInt8]) -> Bool {
            guard !der.isEmpty, der.count <= 72, hash.count == 32, var pubkey = try? parsed() else { return false }
            var sig = secp256k1_ecdsa_signature()
            guard secp256k1_ecdsa_signature_parse_der(secp256k1Context, &sig, der, der.count) == 1 else { return false }
            return secp256k1_ecdsa_verify(secp256k1Context, &sig, hash, &pubkey) == 1
        }
    }

    /// Convenience for transaction senders: recover and derive the 20-byte address.
    public static func recoverAddress(hash: [UInt8], r: [UInt8], s: [UInt8], recoveryId: UInt8) throws -> [UInt8] {
        try RecoverableSignature(r: r, s: s, recoveryId: recoveryId).recoverPublicKey(hash: hash).ethereumAddress
    }

    /// Big-endian comparison of equal-length byte strings.
    static func lessThanOrEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        precondition(a.count == b.count)
        for i in 0..<a.count where a[i] != b[i] { return a[i] < b[i] }
        return true
    }
}
