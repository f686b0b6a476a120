import COpenSSL

// Implicit fetches (EVP_sha256()) cost a provider lookup per call in OpenSSL 3; fetch once.
// EVP_MD objects are immutable and documented as safe to share between threads.
nonisolated(unsafe) private let sha256Digest: OpaquePointer = {
    guard let md = EVP_MD_fetch(nil, "SHA256", nil) else {
        preconditionFailure("OpenSSL has no SHA256 digest")
    }
    return md
}()

public enum SHA256 {
    public static let outputSize = 32

    public static func hash(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: outputSize)
        var length: UInt32 = 0
        let ok = OpenSSL.withBytes(data) { ptr, count in
            out.withUnsafeMutableBufferPointer {
                EVP_Digest(ptr, count, $0.baseAddress, &length, sha256Digest, nil)
            }
        }
        // Hashing in memory can only fail on allocation failure; nothing sensible to recover.
        precondition(ok == 1 && length == 32, "OpenSSL SHA-256 failed")
        return out
    }
}

public enum HMACSHA256 {
    public static func authenticationCode(key: [UInt8], data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: SHA256.outputSize)
        var length: UInt32 = 0
        let result = OpenSSL.withBytes(key) { keyPtr, keyCount in
            OpenSSL.withBytes(data) { dataPtr, dataCount in
                out.withUnsafeMutableBufferPointer {
                    HMAC(sha256Digest, keyPtr, Int32(keyCount), dataPtr, dataCount, $0.baseAddress, &length)
                }
            }
        }
        precondition(key.count <= Int(Int32.max), "HMAC key too long")
        precondition(result != nil && length == 32, "OpenSSL HMAC-SHA256 failed")
        return out
    }
}

/// RFC 5869, written over HMAC so that empty salt, key material and info (BOLT 8's final
/// split uses an empty key material) behave exactly as the RFC says.
public enum HKDFSHA256 {
    public static func derive(salt: [UInt8], inputKeyMaterial: [UInt8], info: [UInt8], outputLength: Int) -> [UInt8] {
        precondition(outputLength >= 0 && outputLength <= 255 * SHA256.outputSize,
                     "HKDF-SHA256 output length must be 0...8160")
        let prk = HMACSHA256.authenticationCode(key: salt, data: inputKeyMaterial)
        var okm: [UInt8] = []
        okm.reserveCapacity(outputLength + SHA256.outputSize)
        var block: [UInt8] = []
        var counter: UInt8 = 1
        while okm.count < outputLength {
            block = HMACSHA256.authenticationCode(key: prk, data: block + info + [counter])
            okm += block
            counter &+= 1
        }
        return Array(okm.prefix(outputLength))
    }
}
