/// FNV-1a (64-bit) over the events of a run: two runs of one seed must produce the same value.
struct TraceHasher {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ x: UInt64) {
        var v = x
        for _ in 0..<8 {
            value = (value ^ (v & 0xff)) &* 0x0000_0100_0000_01B3
            v >>= 8
        }
    }

    mutating func add(_ bytes: [UInt8], prefix: Int = 8) {
        for b in bytes.prefix(prefix) { value = (value ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    }

    var hex: String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
