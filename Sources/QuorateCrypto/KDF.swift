import COpenSSL

/// Password-based key derivation. Parameters are bounded before any work or allocation,
/// because they usually come from a keystore file that may be hostile or corrupt.
public enum KDF {
    /// 2^20: four times geth's default n; beyond it a single unlock takes many seconds.
    public static let maxScryptN: UInt64 = 1 << 20
    /// scrypt needs about 128 * n * r bytes; 1 GiB allows n = 2^20 with r = 8.
    public static let maxScryptMemoryBytes: UInt64 = 1 << 30
    /// p multiplies the work (OpenSSL runs the lanes one after another); r * p bounds both.
    public static let maxScryptRTimesP: UInt64 = 256
    public static let maxPBKDF2Iterations: UInt32 = 10_000_000
    public static let maxOutputLength = 1024

    public static func scrypt(password: [UInt8], salt: [UInt8], n: UInt64, r: UInt32, p: UInt32, length: Int) throws -> [UInt8] {
        guard n >= 2, n <= maxScryptN, n & (n - 1) == 0 else {
            throw CryptoError("scrypt n must be a power of two from 2 to \(maxScryptN), got \(n)")
        }
        guard r >= 1, p >= 1, UInt64(r) * UInt64(p) <= maxScryptRTimesP else {
            throw CryptoError("scrypt r and p must be at least 1 with r * p <= \(maxScryptRTimesP), got r=\(r) p=\(p)")
        }
        // No overflow: n <= 2^20 and r <= 256 here.
        guard 128 * UInt64(r) * n <= maxScryptMemoryBytes else {
            throw CryptoError("scrypt n=\(n) r=\(r) needs \((128 * UInt64(r) * n) >> 20) MiB, more than the \(maxScryptMemoryBytes >> 20) MiB limit")
        }
        // OpenSSL's own accounting: the V array (n + 2 blocks) plus the p lanes.
        let memory = 128 * UInt64(r) * (n + 2) + 128 * UInt64(r) * UInt64(p)
        try checkLength(length)
        // RFC 7914 asks for N < 2^(16 r) and OpenSSL enforces it; geth does not, and writes such
        // keystores (r = 1, N = 2^18 in ethereum/tests), so those go to the Swift implementation.
        if r < 2, n >= 1 << 16 {
            return try ScryptPortable.derive(password: password, salt: salt, n: Int(n), r: Int(r), p: Int(p), length: length)
        }
        var out = [UInt8](repeating: 0, count: length)
        let ok = OpenSSL.withBytes(password) { pass, passCount in
            OpenSSL.withBytes(salt) { saltPtr, saltCount in
                pass.withMemoryRebound(to: CChar.self, capacity: max(passCount, 1)) { passChars in
                    // maxmem is OpenSSL's own guard; set it just above what these bounded
                    // parameters need, since its 32 MiB default refuses geth's n = 2^18, r = 8.
                    EVP_PBE_scrypt(passChars, passCount, saltPtr, saltCount, n, UInt64(r), UInt64(p),
                                   memory + (1 << 16), &out, length)
                }
            }
        }
        guard ok == 1 else { throw OpenSSL.error("scrypt") }
        return out
    }

    public static func pbkdf2SHA256(password: [UInt8], salt: [UInt8], iterations: UInt32, length: Int) throws -> [UInt8] {
        guard iterations >= 1, iterations <= maxPBKDF2Iterations else {
            throw CryptoError("pbkdf2 iterations must be 1...\(maxPBKDF2Iterations), got \(iterations)")
        }
        try checkLength(length)
        return try pbkdf2Unbounded(password: password, salt: salt, iterations: iterations, length: length)
    }

    /// Without the public output bound: scrypt's first step expands to p * 128 * r bytes.
    static func pbkdf2Unbounded(password: [UInt8], salt: [UInt8], iterations: UInt32, length: Int) throws -> [UInt8] {
        guard password.count < Int(Int32.max), salt.count < Int(Int32.max), length < Int(Int32.max) else {
            throw CryptoError("pbkdf2 password or salt too long")
        }
        var out = [UInt8](repeating: 0, count: length)
        let ok = OpenSSL.withBytes(password) { pass, passCount in
            OpenSSL.withBytes(salt) { saltPtr, saltCount in
                pass.withMemoryRebound(to: CChar.self, capacity: max(passCount, 1)) { passChars in
                    PKCS5_PBKDF2_HMAC(passChars, Int32(passCount), saltPtr, Int32(saltCount), Int32(iterations),
                                      EVP_sha256(), Int32(length), &out)
                }
            }
        }
        guard ok == 1 else { throw OpenSSL.error("pbkdf2") }
        return out
    }

    private static func checkLength(_ length: Int) throws {
        guard length >= 1, length <= maxOutputLength else {
            throw CryptoError("derived key length must be 1...\(maxOutputLength), got \(length)")
        }
    }
}
