/// An unsigned 256-bit integer: Ethereum's balances, values, fees and signature scalars.
///
/// Four 64-bit limbs as stored properties (no array) so that values stay on the stack and
/// arithmetic allocates nothing. Overflow is never silent: `+ - *` stop the process on overflow
/// (a broken invariant), and the `ReportingOverflow` forms are for input that can overflow.
public struct UInt256: Hashable, Comparable, Sendable, ExpressibleByIntegerLiteral {
    // Little-endian limb order: w0 holds the least significant 64 bits.
    @usableFromInline var w0: UInt64
    @usableFromInline var w1: UInt64
    @usableFromInline var w2: UInt64
    @usableFromInline var w3: UInt64

    @inlinable init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0
        self.w1 = w1
        self.w2 = w2
        self.w3 = w3
    }

    public static let zero = UInt256(w0: 0, w1: 0, w2: 0, w3: 0)
    public static let max = UInt256(w0: .max, w1: .max, w2: .max, w3: .max)

    @inlinable public init(_ v: UInt64) {
        self.init(w0: v, w1: 0, w2: 0, w3: 0)
    }

    public init(integerLiteral value: UInt64) {
        self.init(value)
    }

    public var isZero: Bool { (w0 | w1 | w2 | w3) == 0 }

    /// The value as a `UInt64`, or nil if it does not fit.
    public var uint64: UInt64? { (w1 | w2 | w3) == 0 ? w0 : nil }

    public static func < (a: UInt256, b: UInt256) -> Bool {
        if a.w3 != b.w3 { return a.w3 < b.w3 }
        if a.w2 != b.w2 { return a.w2 < b.w2 }
        if a.w1 != b.w1 { return a.w1 < b.w1 }
        return a.w0 < b.w0
    }

    // MARK: Limb access for the algorithms below.

    @inlinable func limb(_ i: Int) -> UInt64 {
        switch i {
        case 0: return w0
        case 1: return w1
        case 2: return w2
        default: return w3
        }
    }

    @inlinable mutating func setLimb(_ i: Int, _ v: UInt64) {
        switch i {
        case 0: w0 = v
        case 1: w1 = v
        case 2: w2 = v
        default: w3 = v
        }
    }

    /// Number of significant bits (0 for zero).
    var bitLength: Int {
        if w3 != 0 { return 256 - w3.leadingZeroBitCount }
        if w2 != 0 { return 192 - w2.leadingZeroBitCount }
        if w1 != 0 { return 128 - w1.leadingZeroBitCount }
        return 64 - w0.leadingZeroBitCount
    }
}

// MARK: Bytes

extension UInt256 {
    /// Parses a big-endian integer of at most 32 bytes; leading zero bytes are allowed here
    /// (RLP's canonical-integer rule is enforced by the RLP layer, which knows the context).
    public init?(bigEndian bytes: [UInt8]) {
        guard let v = bytes.withUnsafeBufferPointer({ UInt256(bigEndianBuffer: $0) }) else { return nil }
        self = v
    }

    init?(bigEndianBuffer bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count <= 32 else { return nil }
        var v = UInt256.zero
        // Byte k from the end lands in limb k/8 at bit offset 8*(k%8).
        var k = 0
        var i = bytes.count - 1
        while i >= 0 {
            let li = k >> 3
            v.setLimb(li, v.limb(li) | UInt64(bytes[i]) << UInt64((k & 7) * 8))
            k += 1
            i -= 1
        }
        self = v
    }

    /// Exactly 32 bytes, big-endian.
    public var bigEndianBytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        for li in 0..<4 {
            let l = limb(li)
            for b in 0..<8 {
                out[31 - (li * 8 + b)] = UInt8(truncatingIfNeeded: l >> UInt64(b * 8))
            }
        }
        return out
    }

    /// Big-endian without leading zeros; `[]` for zero. This is RLP's integer form.
    public var minimalBigEndianBytes: [UInt8] {
        let n = (bitLength + 7) / 8
        var out = [UInt8](repeating: 0, count: n)
        for k in 0..<n {
            out[n - 1 - k] = UInt8(truncatingIfNeeded: limb(k >> 3) >> UInt64((k & 7) * 8))
        }
        return out
    }
}
