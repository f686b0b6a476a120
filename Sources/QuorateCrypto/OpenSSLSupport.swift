import COpenSSL

/// Small glue shared by the OpenSSL wrappers.
enum OpenSSL {
    /// Several OpenSSL entry points treat a NULL pointer as "parameter absent" even when the
    /// length is 0 (HMAC with an empty key fails that way), so empty inputs get a valid pointer.
    static func withBytes<R>(_ bytes: [UInt8], _ body: (UnsafePointer<UInt8>, Int) throws -> R) rethrows -> R {
        if bytes.isEmpty {
            var dummy: UInt8 = 0
            return try withUnsafePointer(to: &dummy) { try body($0, 0) }
        }
        return try bytes.withUnsafeBufferPointer { try body($0.baseAddress!, $0.count) }
    }

    /// Drains OpenSSL's thread-local error queue into one readable line.
    static func error(_ what: String) -> CryptoError {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return CryptoError(reasons.isEmpty ? "\(what) failed" : "\(what) failed: \(reasons.joined(separator: "; "))")
    }
}

/// Cryptographically secure random bytes from OpenSSL's DRBG (seeded by the OS).
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        precondition(count >= 0 && count <= Int(Int32.max), "SecureRandom: bad byte count \(count)")
        guard count > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        // Continuing without randomness would silently produce guessable keys and nonces.
        precondition(ok == 1, "OpenSSL RAND_bytes failed: no secure randomness available")
        return out
    }
}
