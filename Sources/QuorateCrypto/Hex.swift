/// Hex encoding for bytes, as Ethereum tools write it (lowercase, optional `0x`).
public enum Hex {
    public struct DecodingError: Error, CustomStringConvertible, Equatable {
        public let description: String
        public init(description: String) { self.description = description }
    }

    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode<S: Sequence>(_ bytes: S, prefix: Bool = false) -> String where S.Element == UInt8 {
        var out: [UInt8] = prefix ? [48, 120] : []
        out.reserveCapacity(out.count + bytes.underestimatedCount * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hex with or without a `0x` prefix. Odd length, or any non-hex character, is an error.
    public static func decode(_ text: String) throws -> [UInt8] {
        var utf8 = Array(text.utf8)
        if utf8.count >= 2, utf8[0] == 48, utf8[1] == 120 || utf8[1] == 88 { utf8.removeFirst(2) }
        guard utf8.count % 2 == 0 else {
            throw DecodingError(description: "hex string has an odd number of digits")
        }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else {
                throw DecodingError(description: "invalid hex digit in \"\(text.prefix(80))\"")
            }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
}
