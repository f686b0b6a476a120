/// Hex helpers with JSON-RPC's strict rules (as geth's hexutil): `0x` is required, quantities
/// have no leading zeros, data has an even number of digits. Errors are short phrases that go
/// after "invalid argument N: ".
enum HexText {
    private static let digits = Array("0123456789abcdef".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = [UInt8(ascii: "0"), UInt8(ascii: "x")]
        out.reserveCapacity(2 + bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The digits after the mandatory `0x` (or `0X`).
    private static func digitsAfterPrefix(_ text: String) throws(DecodeFailure) -> Substring.UTF8View {
        let utf8 = text.utf8
        guard utf8.count >= 2, utf8.first == UInt8(ascii: "0"),
              utf8[utf8.index(after: utf8.startIndex)] | 0x20 == UInt8(ascii: "x")
        else { throw DecodeFailure(reason: "hex string without 0x prefix") }
        // Slice the UTF-8 view, not the String: a combining mark after "0x" must not merge into it.
        return utf8[utf8.index(utf8.startIndex, offsetBy: 2)...]
    }

    /// A hex quantity (`0x1a`) as at most `maxBytes` big-endian bytes with no leading zero byte.
    static func quantityBigEndian(_ text: String, maxBytes: Int) throws(DecodeFailure) -> [UInt8] {
        let hex = try digitsAfterPrefix(text)
        guard !hex.isEmpty else { throw DecodeFailure(reason: "hex string \"0x\" has no digits") }
        guard hex.count == 1 || hex.first != UInt8(ascii: "0") else {
            throw DecodeFailure(reason: "hex number with leading zero digits")
        }
        guard hex.count <= maxBytes * 2 else { throw DecodeFailure(reason: "hex number > \(maxBytes * 8) bits") }
        var nibbles: [UInt8] = []
        nibbles.reserveCapacity(hex.count + 1)
        if hex.count % 2 == 1 { nibbles.append(0) }
        for c in hex {
            guard let n = nibble(c) else { throw DecodeFailure(reason: "invalid hex string") }
            nibbles.append(n)
        }
        var out: [UInt8] = []
        out.reserveCapacity(nibbles.count / 2)
        for i in stride(from: 0, to: nibbles.count, by: 2) { out.append(nibbles[i] << 4 | nibbles[i + 1]) }
        // "0x0" is zero: an empty big-endian magnitude.
        if out == [0] { out = [] }
        return out
    }

    static func quantityUInt64(_ text: String) throws(DecodeFailure) -> UInt64 {
        let bytes = try quantityBigEndian(text, maxBytes: 8)
        return bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Hex data (`0x` and an even number of digits; `0x` alone is empty data).
    static func data(_ text: String) throws(DecodeFailure) -> [UInt8] {
        let hex = try digitsAfterPrefix(text)
        guard hex.count % 2 == 0 else { throw DecodeFailure(reason: "hex string of odd length") }
        var out: [UInt8] = []
        out.reserveCapacity(hex.count / 2)
        var high: UInt8? = nil
        for c in hex {
            guard let n = nibble(c) else { throw DecodeFailure(reason: "invalid hex string") }
            if let h = high {
                out.append(h << 4 | n)
                high = nil
            } else {
                high = n
            }
        }
        return out
    }
}
