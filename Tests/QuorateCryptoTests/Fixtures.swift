import Foundation
@testable import QuorateCrypto
import QuorateTestSupport

/// Vector files under Tests/Fixtures/crypto.
enum Fixture {
    static func url(_ relativePath: String) -> URL {
        RepositoryFiles.fixture("crypto", relativePath)
    }

    static func json(_ relativePath: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url(relativePath)))
    }
}


/// Decimal string to 32-byte big-endian (keyaddrtest.json writes r and s in decimal).
func decimalTo32Bytes(_ text: String) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: 32)
    for ch in text.utf8 {
        precondition((48...57).contains(ch))
        var carry = Int(ch - 48)
        for i in stride(from: 31, through: 0, by: -1) {
            let v = Int(out[i]) * 10 + carry
            out[i] = UInt8(v & 0xff)
            carry = v >> 8
        }
        precondition(carry == 0)
    }
    return out
}

/// n - s over 32-byte big-endian numbers: turns a low-S signature into its high-S twin.
func negateModOrder(_ s: [UInt8]) -> [UInt8] {
    let n = hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
    var out = [UInt8](repeating: 0, count: 32)
    var borrow = 0
    for i in stride(from: 31, through: 0, by: -1) {
        var v = Int(n[i]) - Int(s[i]) - borrow
        borrow = v < 0 ? 1 : 0
        if v < 0 { v += 256 }
        out[i] = UInt8(v)
    }
    return out
}
