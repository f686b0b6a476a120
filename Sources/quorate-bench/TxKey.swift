import QuorateCore

/// A transaction hash as four words: a cheap dictionary key for millions of transfers.
struct TxKey: Hashable, Sendable {
    let w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    init(_ bytes: [UInt8]) {
        precondition(bytes.count == 32, "a transaction hash is 32 bytes")
        func word(_ at: Int) -> UInt64 { bytes[at..<(at + 8)].reduce(0) { $0 << 8 | UInt64($1) } }
        w0 = word(0); w1 = word(8); w2 = word(16); w3 = word(24)
    }

    /// Parses `0x` and 64 hex digits (as JSON-RPC writes hashes); nil for anything else.
    init?(hex: String) {
        var words = [UInt64](repeating: 0, count: 4)
        var utf8 = hex.utf8.makeIterator()
        guard utf8.next() == UInt8(ascii: "0"), utf8.next() == UInt8(ascii: "x") else { return nil }
        for i in 0..<64 {
            guard let c = utf8.next(), let n = TxKey.nibble(c) else { return nil }
            words[i / 16] = words[i / 16] << 4 | UInt64(n)
        }
        guard utf8.next() == nil else { return nil }
        w0 = words[0]; w1 = words[1]; w2 = words[2]; w3 = words[3]
    }

    var hex: String {
        "0x" + [w0, w1, w2, w3].map { w in
            let s = String(w, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }.joined()
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
