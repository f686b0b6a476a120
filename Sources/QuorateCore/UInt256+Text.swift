extension UInt256: CustomStringConvertible {
    private static let tenToThe19: UInt64 = 10_000_000_000_000_000_000

    /// Decimal digits only (no sign, no separators, at least one digit; leading zeros allowed).
    /// Nil if the text is not such a number or the value exceeds 2^256-1.
    public init?(decimal: String) {
        let utf8 = Array(decimal.utf8)
        guard !utf8.isEmpty else { return nil }
        var v = UInt256.zero
        var i = 0
        // Up to 19 digits at a time fit a UInt64, so one multiply-add per chunk.
        while i < utf8.count {
            let end = Swift.min(i + 19, utf8.count)
            var chunk: UInt64 = 0
            var scale: UInt64 = 1
            for c in utf8[i..<end] {
                guard c >= 48 && c <= 57 else { return nil }
                chunk = chunk * 10 + UInt64(c - 48)
                scale *= 10
            }
            let (m, o1) = v.multipliedReportingOverflow(by: UInt256(scale))
            let (s, o2) = m.addingReportingOverflow(UInt256(chunk))
            if o1 || o2 { return nil }
            v = s
            i = end
        }
        self = v
    }

    /// An Ethereum JSON-RPC quantity: `0x` then 1 to 64 significant hex digits, either case.
    /// `0x` alone and non-hex characters are refused. Leading zeros ("0x01") are accepted,
    /// although geth's strict decoder refuses them: some clients send them, and the value is
    /// unambiguous. Output (`hexQuantity`) is always the canonical form.
    public init?(hexQuantity: String) {
        let utf8 = Array(hexQuantity.utf8)
        guard utf8.count >= 3, utf8[0] == 48, utf8[1] == 120 || utf8[1] == 88 else { return nil }
        let digits = utf8[2...].drop(while: { $0 == 48 })  // "0x000" leaves none: zero
        guard digits.count <= 64 else { return nil }
        var v = UInt256.zero
        for c in digits {
            guard let n = UInt256.hexValue(c) else { return nil }
            v = v.shiftedLeft(by: 4)
            v.w0 |= UInt64(n)
        }
        self = v
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }

    public var description: String {
        if let small = uint64 { return String(small) }
        var chunks: [UInt64] = []
        var rest = self
        while !rest.isZero {
            let (q, r) = rest.quotientAndRemainder(dividingBySmall: UInt256.tenToThe19)
            chunks.append(r)
            rest = q
        }
        var out = String(chunks.removeLast())
        for c in chunks.reversed() {
            let s = String(c)
            out += String(repeating: "0", count: 19 - s.count) + s
        }
        return out
    }

    /// Canonical JSON-RPC quantity: "0x0", "0x1a".
    public var hexQuantity: String {
        var out = "0x"
        var started = false
        for i in stride(from: 3, through: 0, by: -1) {
            let l = limb(i)
            if !started {
                if l == 0 && i > 0 { continue }
                out += String(l, radix: 16)
                started = true
            } else {
                let s = String(l, radix: 16)
                out += String(repeating: "0", count: 16 - s.count) + s
            }
        }
        return out
    }
}
