import COpenSSL

// Fetched once: an explicit fetch per call would repeat a provider lookup on every BOLT 8
// frame. EVP_CIPHER objects are immutable and shareable between threads.
nonisolated(unsafe) private let aes128CTRCipher: OpaquePointer = fetchCipher("AES-128-CTR")
nonisolated(unsafe) private let chaCha20Poly1305Cipher: OpaquePointer = fetchCipher("ChaCha20-Poly1305")

private func fetchCipher(_ name: String) -> OpaquePointer {
    guard let cipher = EVP_CIPHER_fetch(nil, name, nil) else { preconditionFailure("OpenSSL has no \(name) cipher") }
    return cipher
}

/// Owns one EVP_CIPHER_CTX for the length of one operation.
private func withCipherContext<R>(_ body: (OpaquePointer) throws -> R) throws -> R {
    guard let context = EVP_CIPHER_CTX_new() else { throw OpenSSL.error("EVP_CIPHER_CTX_new") }
    defer { EVP_CIPHER_CTX_free(context) }
    return try body(context)
}

/// Appends EVP_CipherUpdate(input) to `out`; stream modes emit exactly as many bytes as they take.
private func update(_ context: OpaquePointer, _ input: [UInt8], into out: inout [UInt8], what: String) throws {
    guard !input.isEmpty else { return }
    guard input.count < Int(Int32.max) - 64 else { throw CryptoError("\(what): input too large") }
    let start = out.count
    out += [UInt8](repeating: 0, count: input.count)
    var written: Int32 = 0
    let ok = out.withUnsafeMutableBufferPointer { buffer in
        EVP_CipherUpdate(context, buffer.baseAddress! + start, &written, input, Int32(input.count))
    }
    guard ok == 1, Int(written) == input.count else { throw OpenSSL.error(what) }
}

private func addAAD(_ context: OpaquePointer, _ aad: [UInt8], what: String) throws {
    guard !aad.isEmpty else { return }
    guard aad.count < Int(Int32.max) else { throw CryptoError("\(what): associated data too large") }
    var written: Int32 = 0
    guard EVP_CipherUpdate(context, nil, &written, aad, Int32(aad.count)) == 1 else { throw OpenSSL.error(what) }
}

/// AES-128 in counter mode (the keystore cipher); the same call encrypts and decrypts.
public enum AES128CTR {
    public static func apply(key: [UInt8], iv: [UInt8], data: [UInt8]) throws -> [UInt8] {
        guard key.count == 16 else { throw CryptoError("AES-128-CTR key must be 16 bytes, got \(key.count)") }
        guard iv.count == 16 else { throw CryptoError("AES-128-CTR iv must be 16 bytes, got \(iv.count)") }
        return try withCipherContext { context in
            guard EVP_CipherInit_ex2(context, aes128CTRCipher, key, iv, 1, nil) == 1 else {
                throw OpenSSL.error("AES-128-CTR init")
            }
            var out: [UInt8] = []
            out.reserveCapacity(data.count)
            try update(context, data, into: &out, what: "AES-128-CTR")
            return out
        }
    }
}

/// RFC 8439 AEAD (IETF: 12-byte nonce), tag appended, as BOLT 8 frames it.
public enum ChaCha20Poly1305 {
    public static let keySize = 32
    public static let nonceSize = 12
    public static let tagSize = 16

    public static func seal(key: [UInt8], nonce: [UInt8], plaintext: [UInt8], aad: [UInt8]) throws -> [UInt8] {
        try checkSizes(key: key, nonce: nonce)
        return try withCipherContext { context in
            guard EVP_CipherInit_ex2(context, chaCha20Poly1305Cipher, key, nonce, 1, nil) == 1 else {
                throw OpenSSL.error("ChaCha20-Poly1305 init")
            }
            try addAAD(context, aad, what: "ChaCha20-Poly1305 seal")
            var out: [UInt8] = []
            out.reserveCapacity(plaintext.count + tagSize)
            try update(context, plaintext, into: &out, what: "ChaCha20-Poly1305 seal")
            var finalBytes = [UInt8](repeating: 0, count: 16)
            var written: Int32 = 0
            guard EVP_CipherFinal_ex(context, &finalBytes, &written) == 1, written == 0 else {
                throw OpenSSL.error("ChaCha20-Poly1305 seal")
            }
            var tag = [UInt8](repeating: 0, count: tagSize)
            guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, Int32(tagSize), &tag) == 1 else {
                throw OpenSSL.error("ChaCha20-Poly1305 tag")
            }
            return out + tag
        }
    }

    public static func open(key: [UInt8], nonce: [UInt8], ciphertextAndTag: [UInt8], aad: [UInt8]) throws -> [UInt8] {
        try checkSizes(key: key, nonce: nonce)
        guard ciphertextAndTag.count >= tagSize else {
            throw CryptoError("ChaCha20-Poly1305: input shorter than the 16-byte tag")
        }
        let ciphertext = Array(ciphertextAndTag.dropLast(tagSize))
        var tag = Array(ciphertextAndTag.suffix(tagSize))
        return try withCipherContext { context in
            guard EVP_CipherInit_ex2(context, chaCha20Poly1305Cipher, key, nonce, 0, nil) == 1 else {
                throw OpenSSL.error("ChaCha20-Poly1305 init")
            }
            try addAAD(context, aad, what: "ChaCha20-Poly1305 open")
            var out: [UInt8] = []
            out.reserveCapacity(ciphertext.count)
            try update(context, ciphertext, into: &out, what: "ChaCha20-Poly1305 open")
            guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, Int32(tagSize), &tag) == 1 else {
                throw OpenSSL.error("ChaCha20-Poly1305 tag")
            }
            var finalBytes = [UInt8](repeating: 0, count: 16)
            var written: Int32 = 0
            guard EVP_CipherFinal_ex(context, &finalBytes, &written) == 1 else {
                ERR_clear_error()
                throw CryptoError("ChaCha20-Poly1305: authentication failed (message or tag altered, or wrong key)")
            }
            return out
        }
    }

    private static func checkSizes(key: [UInt8], nonce: [UInt8]) throws {
        guard key.count == keySize else { throw CryptoError("ChaCha20-Poly1305 key must be 32 bytes, got \(key.count)") }
        guard nonce.count == nonceSize else {
            throw CryptoError("ChaCha20-Poly1305 nonce must be 12 bytes, got \(nonce.count)")
        }
    }
}
