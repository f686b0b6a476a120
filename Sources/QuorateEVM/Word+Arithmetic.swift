import QuorateCore

/// The EVM's wrapping 256-bit arithmetic (yellow paper semantics: results modulo 2^256,
/// division by zero gives zero, signed values in two's complement).
extension UInt256 {
    @inlinable @inline(__always) static func wrappingAdd(_ a: UInt256, _ b: UInt256) -> UInt256 {
        let (r0, c0) = a.l0.addingReportingOverflow(b.l0)
        let (t1, c1a) = a.l1.addingReportingOverflow(b.l1)
        let (r1, c1b) = t1.addingReportingOverflow(c0 ? 1 : 0)
        let (t2, c2a) = a.l2.addingReportingOverflow(b.l2)
        let (r2, c2b) = t2.addingReportingOverflow((c1a || c1b) ? 1 : 0)
        let r3 = a.l3 &+ b.l3 &+ ((c2a || c2b) ? 1 : 0)
        return UInt256(limbs: r0, r1, r2, r3)
    }

    @inlinable @inline(__always) static func wrappingSub(_ a: UInt256, _ b: UInt256) -> UInt256 {
        let (r0, b0) = a.l0.subtractingReportingOverflow(b.l0)
        let (t1, b1a) = a.l1.subtractingReportingOverflow(b.l1)
        let (r1, b1b) = t1.subtractingReportingOverflow(b0 ? 1 : 0)
        let (t2, b2a) = a.l2.subtractingReportingOverflow(b.l2)
        let (r2, b2b) = t2.subtractingReportingOverflow((b1a || b1b) ? 1 : 0)
        let r3 = a.l3 &- b.l3 &- ((b2a || b2b) ? 1 : 0)
        return UInt256(limbs: r0, r1, r2, r3)
    }

    /// The low 256 bits of the product.
    @inlinable @inline(__always) static func wrappingMul(_ a: UInt256, _ b: UInt256) -> UInt256 {
        let a0 = a.l0, a1 = a.l1, a2 = a.l2, a3 = a.l3
        let b0 = b.l0, b1 = b.l1, b2 = b.l2, b3 = b.l3
        // Column by column; each column keeps a carry into the next.
        var (h, r0) = a0.multipliedFullWidth(by: b0)
        var acc1 = h, acc2: UInt64 = 0, acc3: UInt64 = 0
        @inline(__always) func add(_ x: inout UInt64, _ y: UInt64, _ carry: inout UInt64) {
            let (s, o) = x.addingReportingOverflow(y)
            x = s
            carry &+= o ? 1 : 0
        }
        var l: UInt64
        (h, l) = a0.multipliedFullWidth(by: b1)
        add(&acc1, l, &acc2); acc2 &+= h
        (h, l) = a1.multipliedFullWidth(by: b0)
        add(&acc1, l, &acc2); add(&acc2, h, &acc3)
        (h, l) = a0.multipliedFullWidth(by: b2)
        add(&acc2, l, &acc3); acc3 &+= h
        (h, l) = a1.multipliedFullWidth(by: b1)
        add(&acc2, l, &acc3); acc3 &+= h
        (h, l) = a2.multipliedFullWidth(by: b0)
        add(&acc2, l, &acc3); acc3 &+= h
        acc3 &+= a0 &* b3 &+ a1 &* b2 &+ a2 &* b1 &+ a3 &* b0
        return UInt256(limbs: r0, acc1, acc2, acc3)
    }

    @inlinable @inline(__always) var isNegative: Bool { l3 >> 63 == 1 }

    @inlinable @inline(__always) var negated: UInt256 { UInt256.wrappingSub(.zero, self) }

    @inlinable @inline(__always) static func bitNot(_ a: UInt256) -> UInt256 {
        UInt256(limbs: ~a.l0, ~a.l1, ~a.l2, ~a.l3)
    }

    @inlinable static func evmDivMod(_ a: UInt256, _ b: UInt256) -> (UInt256, UInt256) {
        if b.isZero { return (.zero, .zero) }
        if (a.l1 | a.l2 | a.l3 | b.l1 | b.l2 | b.l3) == 0 {
            return (UInt256(a.l0 / b.l0), UInt256(a.l0 % b.l0))
        }
        if a < b { return (.zero, a) }
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 4) { u in
            u[0] = a.l0; u[1] = a.l1; u[2] = a.l2; u[3] = a.l3
            return LimbDivision.divMod(u.baseAddress!, 4, b)
        }
    }

    @inlinable static func evmSDiv(_ a: UInt256, _ b: UInt256) -> UInt256 {
        if b.isZero { return .zero }
        let an = a.isNegative, bn = b.isNegative
        // -2^255 / -1 overflows back to -2^255, which the wrapping negation gives for free.
        let q = evmDivMod(an ? a.negated : a, bn ? b.negated : b).0
        return an != bn ? q.negated : q
    }

    @inlinable static func evmSMod(_ a: UInt256, _ b: UInt256) -> UInt256 {
        if b.isZero { return .zero }
        let an = a.isNegative
        let r = evmDivMod(an ? a.negated : a, b.isNegative ? b.negated : b).1
        return an ? r.negated : r
    }

    @inlinable static func evmAddMod(_ a: UInt256, _ b: UInt256, _ m: UInt256) -> UInt256 {
        if m.isZero { return .zero }
        let (s, carry) = a.addingReportingOverflow(b)
        if !carry { return evmDivMod(s, m).1 }
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 5) { u in
            u[0] = s.l0; u[1] = s.l1; u[2] = s.l2; u[3] = s.l3; u[4] = 1
            return LimbDivision.divMod(u.baseAddress!, 5, m).1
        }
    }

    @inlinable static func evmMulMod(_ a: UInt256, _ b: UInt256, _ m: UInt256) -> UInt256 {
        if m.isZero { return .zero }
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 8) { p in
            let pp = p.baseAddress!
            for i in 0..<8 { pp[i] = 0 }
            for i in 0..<4 {
                let ai = a.limbAt(i)
                if ai == 0 { continue }
                var carry: UInt64 = 0
                for j in 0..<4 {
                    let (h, l) = ai.multipliedFullWidth(by: b.limbAt(j))
                    let (s1, o1) = pp[i + j].addingReportingOverflow(l)
                    let (s2, o2) = s1.addingReportingOverflow(carry)
                    pp[i + j] = s2
                    carry = h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                }
                pp[i + 4] = carry
            }
            return LimbDivision.divMod(pp, 8, m).1
        }
    }

    @inlinable @inline(__always) func limbAt(_ i: Int) -> UInt64 {
        switch i {
        case 0: return l0
        case 1: return l1
        case 2: return l2
        default: return l3
        }
    }

    @inlinable static func evmExp(_ base: UInt256, _ exponent: UInt256) -> UInt256 {
        let bits = exponent.bitCount
        var result = UInt256(1)
        var b = base
        var i = 0
        while i < bits {
            if (exponent.limbAt(i >> 6) >> UInt64(i & 63)) & 1 == 1 { result = wrappingMul(result, b) }
            i += 1
            if i < bits { b = wrappingMul(b, b) }
        }
        return result
    }

    /// Number of significant bits (0 for zero).
    @inlinable @inline(__always) var bitCount: Int {
        if l3 != 0 { return 256 - l3.leadingZeroBitCount }
        if l2 != 0 { return 192 - l2.leadingZeroBitCount }
        if l1 != 0 { return 128 - l1.leadingZeroBitCount }
        return 64 - l0.leadingZeroBitCount
    }

    /// SIGNEXTEND: extends the sign bit of byte `k` (0 = least significant) through the word.
    @inlinable static func evmSignExtend(_ k: UInt256, _ x: UInt256) -> UInt256 {
        guard let kk = k.uint64, kk < 31 else { return x }
        let bit = Int(kk) * 8 + 7
        let negative = (x.limbAt(bit >> 6) >> UInt64(bit & 63)) & 1 == 1
        let mask = wrappingSub(UInt256(1).shiftedLeftWrapping(bit + 1), UInt256(1))
        return negative ? bitOr(x, bitNot(mask)) : bitAnd(x, mask)
    }

    @inlinable @inline(__always) static func bitAnd(_ a: UInt256, _ b: UInt256) -> UInt256 {
        UInt256(limbs: a.l0 & b.l0, a.l1 & b.l1, a.l2 & b.l2, a.l3 & b.l3)
    }

    @inlinable @inline(__always) static func bitOr(_ a: UInt256, _ b: UInt256) -> UInt256 {
        UInt256(limbs: a.l0 | b.l0, a.l1 | b.l1, a.l2 | b.l2, a.l3 | b.l3)
    }

    @inlinable @inline(__always) static func bitXor(_ a: UInt256, _ b: UInt256) -> UInt256 {
        UInt256(limbs: a.l0 ^ b.l0, a.l1 ^ b.l1, a.l2 ^ b.l2, a.l3 ^ b.l3)
    }

    /// BYTE: byte `i` counting from the most significant.
    @inlinable @inline(__always) static func evmByte(_ i: UInt256, _ x: UInt256) -> UInt256 {
        guard let ii = i.uint64, ii < 32 else { return .zero }
        let fromLow = 31 - Int(ii)
        return UInt256((x.limbAt(fromLow >> 3) >> UInt64((fromLow & 7) * 8)) & 0xff)
    }

    @inlinable @inline(__always) static func evmShl(_ shift: UInt256, _ x: UInt256) -> UInt256 {
        guard let s = shift.uint64, s < 256 else { return .zero }
        return x.shiftedLeftWrapping(Int(s))
    }

    @inlinable @inline(__always) static func evmShr(_ shift: UInt256, _ x: UInt256) -> UInt256 {
        guard let s = shift.uint64, s < 256 else { return .zero }
        return x.shiftedRightLogical(Int(s))
    }

    @inlinable static func evmSar(_ shift: UInt256, _ x: UInt256) -> UInt256 {
        let neg = x.isNegative
        guard let s = shift.uint64, s < 256 else { return neg ? .max : .zero }
        if !neg { return x.shiftedRightLogical(Int(s)) }
        // Arithmetic shift of a negative value: ~((~x) >> s).
        return bitNot(bitNot(x).shiftedRightLogical(Int(s)))
    }

    @inlinable @inline(__always) func shiftedLeftWrapping(_ n: Int) -> UInt256 {
        let ls = n >> 6, bs = UInt64(n & 63)
        var r: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &r) { raw in
            let out = raw.bindMemory(to: UInt64.self)
            for i in stride(from: 3, through: ls, by: -1) {
                var v = limbAt(i - ls) << bs
                if bs != 0 && i - ls - 1 >= 0 { v |= limbAt(i - ls - 1) >> (64 - bs) }
                out[i] = v
            }
        }
        return UInt256(limbs: r.0, r.1, r.2, r.3)
    }

    @inlinable @inline(__always) func shiftedRightLogical(_ n: Int) -> UInt256 {
        let ls = n >> 6, bs = UInt64(n & 63)
        var r: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &r) { raw in
            let out = raw.bindMemory(to: UInt64.self)
            for i in 0..<(4 - ls) {
                var v = limbAt(i + ls) >> bs
                if bs != 0 && i + ls + 1 < 4 { v |= limbAt(i + ls + 1) << (64 - bs) }
                out[i] = v
            }
        }
        return UInt256(limbs: r.0, r.1, r.2, r.3)
    }

    @inlinable @inline(__always) static func signedLess(_ a: UInt256, _ b: UInt256) -> Bool {
        let an = a.isNegative, bn = b.isNegative
        if an != bn { return an }
        return a < b
    }

    /// Significant bytes of the exponent, for EXP's 50 gas per byte.
    @inlinable @inline(__always) var byteLength: Int {
        if l3 != 0 { return 32 - l3.leadingZeroBitCount / 8 }
        if l2 != 0 { return 24 - l2.leadingZeroBitCount / 8 }
        if l1 != 0 { return 16 - l1.leadingZeroBitCount / 8 }
        return 8 - l0.leadingZeroBitCount / 8
    }

    /// The low 20 bytes as an address (the EVM masks addresses taken off the stack).
    @inlinable var asAddress: Address {
        let (hi, mid, lo) = (UInt32(truncatingIfNeeded: l2).bigEndian, l1.bigEndian, l0.bigEndian)
        return Address([UInt8](unsafeUninitializedCapacity: 20) { buf, count in
            let raw = UnsafeMutableRawBufferPointer(buf)
            raw.storeBytes(of: hi, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: mid, toByteOffset: 4, as: UInt64.self)
            raw.storeBytes(of: lo, toByteOffset: 12, as: UInt64.self)
            count = 20
        })
    }

    /// The address as a word (no allocation: three big-endian loads).
    @inlinable init(address: Address) {
        self = address.bytes.withUnsafeBytes { raw in
            UInt256(limbs: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 12, as: UInt64.self)),
                    UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt64.self)),
                    UInt64(UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self))), 0)
        }
    }

    @inlinable init(hash: Hash32) {
        self = hash.bytes.withUnsafeBytes { UInt256(bigEndianWords: $0) }
    }

    /// Four big-endian words from 32 bytes.
    @inlinable @inline(__always) init(bigEndianWords raw: UnsafeRawBufferPointer) {
        @inline(__always) func be(_ at: Int) -> UInt64 {
            UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))
        }
        self.init(limbs: be(24), be(16), be(8), be(0))
    }
}
