/// Hex as the state tests write it: `0x`-prefixed; numbers may have any number of digits.
enum HexText {
    /// The minimal big-endian bytes of a `0x` number (`[]` for zero), or nil if not hex.
    static func number(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == 48, utf8[1] == 120 || utf8[1] == 88 else { return nil }
        var digits = [UInt8]()
        digits.reserveCapacity(utf8.count - 2)
        for c in utf8[2...] {
            guard let n = nibble(c) else { return nil }
            if digits.isEmpty && n == 0 { continue }
            digits.append(n)
        }
        var out = [UInt8]()
        out.reserveCapacity((digits.count + 1) / 2)
        var i = 0
        if digits.count % 2 == 1 {
            out.append(digits[0])
            i = 1
        }
        while i < digits.count {
            out.append(digits[i] << 4 | digits[i + 1])
            i += 2
        }
        return out
    }

    /// `0x` then an even number of hex digits; nil otherwise.
    static func bytes(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == 48, utf8[1] == 120 || utf8[1] == 88, utf8.count % 2 == 0 else {
            return nil
        }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2 - 1)
        var i = 2
        while i < utf8.count {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
}
