import COpenSSL

// RIPEMD-160 lives in OpenSSL 3.0.7+'s default provider (Debian bookworm ships 3.0.x with it);
// fetched once like SHA-256. EVP_MD objects are immutable and safe to share between threads.
nonisolated(unsafe) private let ripemd160Digest: OpaquePointer = {
    guard let md = EVP_MD_fetch(nil, "RIPEMD160", nil) else {
        preconditionFailure("OpenSSL has no RIPEMD160 digest (needs OpenSSL 3.0.7 or later)")
    }
    return md
}()

/// RIPEMD-160, needed only by the EVM's precompiled contract 0x03.
public enum RIPEMD160 {
    public static let outputSize = 20

    public static func hash(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: outputSize)
        var length: UInt32 = 0
        let ok = OpenSSL.withBytes(data) { ptr, count in
            out.withUnsafeMutableBufferPointer {
                EVP_Digest(ptr, count, $0.baseAddress, &length, ripemd160Digest, nil)
            }
        }
        precondition(ok == 1 && length == 20, "OpenSSL RIPEMD-160 failed")
        return out
    }
}
