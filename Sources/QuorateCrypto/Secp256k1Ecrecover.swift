import CSecp256k1

extension Secp256k1 {
    /// The EVM's ecrecover (precompiled contract 0x01): unlike transaction senders it accepts
    /// high s. r and s must be in [1, n-1] and the recovery id 0 or 1. Returns the 20-byte
    /// address, or nil when no key can be recovered.
    public static func ecrecoverAddress(hash: [UInt8], r: [UInt8], s: [UInt8], recoveryId: UInt8) -> [UInt8]? {
        guard hash.count == 32, recoveryId <= 1,
              let signature = try? RecoverableSignature(r: r, s: s, recoveryId: recoveryId) else { return nil }
        var sig = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_recoverable_signature_parse_compact(
            secp256k1Context, &sig, signature.r + signature.s, Int32(recoveryId)) == 1 else { return nil }
        var pubkey = secp256k1_pubkey()
        // libsecp256k1 recovers from any s in range; only its verify insists on low s.
        guard secp256k1_ecdsa_recover(secp256k1Context, &pubkey, &sig, hash) == 1 else { return nil }
        return PublicKey(parsed: pubkey).ethereumAddress
    }
}
