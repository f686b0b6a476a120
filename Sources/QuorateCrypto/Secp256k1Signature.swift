import CSecp256k1

extension Secp256k1 {
    /// An ECDSA signature with the recovery id Ethereum carries in `v`.
    public struct RecoverableSignature: Sendable, Equatable {
        public let r: [UInt8]
        public let s: [UInt8]
        public let recoveryId: UInt8

        /// Accepts high-S on purpose: transactions must be decodable so they can be refused
        /// with a precise reason; `recoverPublicKey` enforces EIP-2.
        public init(r: [UInt8], s: [UInt8], recoveryId: UInt8) throws {
            guard r.count == 32, s.count == 32 else {
                throw CryptoError("signature r and s must be 32 bytes each, got \(r.count) and \(s.count)")
            }
            guard recoveryId <= 3 else { throw CryptoError("signature recovery id must be 0...3, got \(recoveryId)") }
            guard r.contains(where: { $0 != 0 }), s.contains(where: { $0 != 0 }) else {
                throw CryptoError("signature r and s must be non-zero")
            }
            guard !Secp256k1.lessThanOrEqual(Secp256k1.order, r), !Secp256k1.lessThanOrEqual(Secp256k1.order, s) else {
                throw CryptoError("signature r and s must be below the curve order")
            }
            self.r = r
            self.s = s
            self.recoveryId = recoveryId
        }

        public init(compact65: [UInt8]) throws {
            guard compact65.count == 65 else {
                throw CryptoError("compact signature must be 65 bytes (r || s || recovery id), got \(compact65.count)")
            }
            try self.init(r: Array(compact65[0..<32]), s: Array(compact65[32..<64]), recoveryId: compact65[64])
        }

        public var compact65: [UInt8] { r + s + [recoveryId] }

        public var isLowS: Bool { Secp256k1.lessThanOrEqual(s, Secp256k1.halfOrder) }

        public func recoverPublicKey(hash: [UInt8]) throws -> PublicKey {
            guard hash.count == 32 else { throw CryptoError("signed hash must be 32 bytes, got \(hash.count)") }
            guard isLowS else { throw CryptoError("signature has high s (s > n/2), refused since EIP-2") }
            var sig = secp256k1_ecdsa_recoverable_signature()
            guard secp256k1_ecdsa_recoverable_signature_parse_compact(secp256k1Context, &sig, r + s, Int32(recoveryId)) == 1 else {
                throw CryptoError("invalid signature encoding")
            }
            var pubkey = secp256k1_pubkey()
            guard secp256k1_ecdsa_recover(secp256k1Context, &pubkey, &sig, hash) == 1 else {
                throw CryptoError("invalid signature: no public key can be recovered")
            }
            return PublicKey(parsed: pubkey)
        }
    }
}
