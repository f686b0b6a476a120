import QuorateCrypto

/// The primitives BOLT 8 builds on, in the spec's own terms (HKDF, encryptWithAD, decryptWithAD).
enum NoisePrimitives {
    /// BOLT 8's `HKDF(salt, ikm)`: RFC 5869 with empty info, 64 bytes, split into two keys.
    static func hkdf(salt: [UInt8], inputKeyMaterial: [UInt8]) -> (first: [UInt8], second: [UInt8]) {
        let okm = HKDFSHA256.derive(salt: salt, inputKeyMaterial: inputKeyMaterial, info: [], outputLength: 64)
        return (Array(okm[0..<32]), Array(okm[32..<64]))
    }

    /// Noise's ChaChaPoly nonce: 32 zero bits, then the 64-bit counter in little-endian order.
    static func nonce(_ counter: UInt64) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: ChaCha20Poly1305.nonceSize)
        for i in 0..<8 { out[4 + i] = UInt8(truncatingIfNeeded: counter >> (8 * UInt64(i))) }
        return out
    }

    static func encryptWithAD(key: [UInt8], nonce counter: UInt64, ad: [UInt8], plaintext: [UInt8]) -> [UInt8] {
        precondition(key.count == ChaCha20Poly1305.keySize, "Noise key must be 32 bytes")
        do {
            return try ChaCha20Poly1305.seal(key: key, nonce: nonce(counter), plaintext: plaintext, aad: ad)
        } catch {
            // Sizes are fixed above, so only a broken libcrypto can fail here; sending without
            // encryption is never an option.
            preconditionFailure("ChaCha20-Poly1305 encryption failed: \(error)")
        }
    }

    /// nil when the tag does not authenticate: the only failure a peer can cause.
    static func decryptWithAD(key: [UInt8], nonce counter: UInt64, ad: [UInt8], ciphertext: [UInt8]) -> [UInt8]? {
        precondition(key.count == ChaCha20Poly1305.keySize, "Noise key must be 32 bytes")
        return try? ChaCha20Poly1305.open(key: key, nonce: nonce(counter), ciphertextAndTag: ciphertext, aad: ad)
    }
}

/// One direction of an established BOLT 8 session: key, nonce and that direction's own copy of
/// the chaining key. BOLT 8 "Key Rotation": after a key has been used for 1000 encryptions or
/// decryptions (500 messages: each message uses one nonce for its length and one for its body),
/// `ck', k' = HKDF(ck, k)` and the nonce returns to 0.
struct NoiseCipherState: Sendable {
    static let rotationInterval: UInt64 = 1000

    private(set) var key: [UInt8]
    private(set) var nonce: UInt64 = 0
    private(set) var chainingKey: [UInt8]

    init(key: [UInt8], chainingKey: [UInt8]) {
        precondition(key.count == 32 && chainingKey.count == 32, "Noise keys are 32 bytes")
        self.key = key
        self.chainingKey = chainingKey
    }

    mutating func encrypt(_ plaintext: [UInt8]) -> [UInt8] {
        let out = NoisePrimitives.encryptWithAD(key: key, nonce: nonce, ad: [], plaintext: plaintext)
        advance()
        return out
    }

    /// nil on a bad tag; the state is then unchanged, and the caller must drop the session
    /// (BOLT 8: "the connection MUST be failed").
    mutating func decrypt(_ ciphertext: [UInt8]) -> [UInt8]? {
        guard let out = NoisePrimitives.decryptWithAD(key: key, nonce: nonce, ad: [], ciphertext: ciphertext) else {
            return nil
        }
        advance()
        return out
    }

    private mutating func advance() {
        nonce += 1
        if nonce == Self.rotationInterval {
            (chainingKey, key) = NoisePrimitives.hkdf(salt: chainingKey, inputKeyMaterial: key)
            nonce = 0
        }
    }
}
