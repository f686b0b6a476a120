extension UInt256 {
    public func addingReportingOverflow(_ o: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        var r = UInt256.zero
        var carry: UInt64 = 0
        for i in 0..<4 {
            let (s1, c1) = limb(i).addingReportingOverflow(o.limb(i))
            let (s2, c2) = s1.addingReportingOverflow(carry)
            r.setLimb(i, s2)
            carry = (c1 || c2) ? 1 : 0
        }
        return (r, carry != 0)
    }

    public func subtractingReportingOverflow(_ o: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        var r = UInt256.zero
        var borrow: UInt64 = 0
        for i in 0..<4 {
            let (d1, b1) = limb(i).subtractingReportingOverflow(o.limb(i))
            let (d2, b2) = d1.subtractingReportingOverflow(borrow)
            r.setLimb(i, d2)
            borrow = (b1 || b2) ? 1 : 0
        }
        return (r, borrow != 0)
    }

    /// Schoolbook 4x4-limb product; any non-zero limb above the fourth is overflow.
    public func multipliedReportingOverflow(by o: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        var low = UInt256.zero
        var overflow = false
        for i in 0..<4 {
            let a = limb(i)
            if a == 0 { continue }
            var carry: UInt64 = 0
            for j in 0..<4 {
                let b = o.limb(j)
                let k = i + j
                if k >= 4 {
                    // Anything landing here is beyond 256 bits.
                    if b != 0 || carry != 0 { overflow = true }
                    carry = 0
                    continue
                }
                let (hi, lo) = a.multipliedFullWidth(by: b)
                let (s1, c1) = low.limb(k).addingReportingOverflow(lo)
                let (s2, c2) = s1.addingReportingOverflow(carry)
                low.setLimb(k, s2)
                carry = hi &+ (c1 ? 1 : 0) &+ (c2 ? 1 : 0)  // hi <= 2^64-2, so this cannot wrap
            }
            if carry != 0 { overflow = true }
        }
        return (low, overflow)
    }

    /// Division by zero is a programming error (callers check their divisors).
    public func quotientAndRemainder(dividingBy d: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        precondition(!d.isZero, "UInt256 division by zero")
        if self < d { return (.zero, self) }
        if let small = d.uint64 {
            let (q, r) = quotientAndRemainder(dividingBySmall: small)
            return (q, UInt256(r))
        }
        return longDivision(by: d)
    }

    /// Fast path for a divisor that fits in one limb (decimal printing divides by 10^19).
    func quotientAndRemainder(dividingBySmall d: UInt64) -> (quotient: UInt256, remainder: UInt64) {
        precondition(d != 0, "UInt256 division by zero")
        var q = UInt256.zero
        var r: UInt64 = 0
        for i in stride(from: 3, through: 0, by: -1) {
            let (qi, ri) = d.dividingFullWidth((high: r, low: limb(i)))
            q.setLimb(i, qi)
            r = ri
        }
        return (q, r)
    }

    /// Bit-at-a-time restoring division; at most 256 steps, only for divisors above 2^64.
    private func longDivision(by d: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        var q = UInt256.zero
        var r = UInt256.zero
        for bit in stride(from: bitLength - 1, through: 0, by: -1) {
            r = r.shiftedLeft(by: 1)
            if testBit(bit) { r.w0 |= 1 }
            if r >= d {
                r = r.subtractingReportingOverflow(d).partialValue
                q.setLimb(bit >> 6, q.limb(bit >> 6) | (1 << UInt64(bit & 63)))
            }
        }
        return (q, r)
    }

    func testBit(_ bit: Int) -> Bool {
        (limb(bit >> 6) >> UInt64(bit & 63)) & 1 == 1
    }

    /// Bits shifted past 256 are dropped.
    func shiftedLeft(by n: Int) -> UInt256 {
        precondition(n >= 0)
        if n >= 256 { return .zero }
        let limbShift = n >> 6, bitShift = UInt64(n & 63)
        var r = UInt256.zero
        for i in stride(from: 3, through: limbShift, by: -1) {
            var v = limb(i - limbShift) << bitShift
            if bitShift != 0 && i - limbShift - 1 >= 0 {
                v |= limb(i - limbShift - 1) >> (64 - bitShift)
            }
            r.setLimb(i, v)
        }
        return r
    }

    func shiftedRight(by n: Int) -> UInt256 {
        precondition(n >= 0)
        if n >= 256 { return .zero }
        let limbShift = n >> 6, bitShift = UInt64(n & 63)
        var r = UInt256.zero
        for i in 0..<(4 - limbShift) {
            var v = limb(i + limbShift) >> bitShift
            if bitShift != 0 && i + limbShift + 1 < 4 {
                v |= limb(i + limbShift + 1) << (64 - bitShift)
            }
            r.setLimb(i, v)
        }
        return r
    }

    // MARK: Operators. Overflow here means a caller skipped a check: stop, do not wrap.

    public static func + (a: UInt256, b: UInt256) -> UInt256 {
        let (v, o) = a.addingReportingOverflow(b)
        precondition(!o, "UInt256 addition overflow")
        return v
    }

    public static func - (a: UInt256, b: UInt256) -> UInt256 {
        let (v, o) = a.subtractingReportingOverflow(b)
        precondition(!o, "UInt256 subtraction underflow")
        return v
    }

    public static func * (a: UInt256, b: UInt256) -> UInt256 {
        let (v, o) = a.multipliedReportingOverflow(by: b)
        precondition(!o, "UInt256 multiplication overflow")
        return v
    }

    public static func / (a: UInt256, b: UInt256) -> UInt256 {
        a.quotientAndRemainder(dividingBy: b).quotient
    }

    public static func % (a: UInt256, b: UInt256) -> UInt256 {
        a.quotientAndRemainder(dividingBy: b).remainder
    }

    public static func += (a: inout UInt256, b: UInt256) { a = a + b }
    public static func -= (a: inout UInt256, b: UInt256) { a = a - b }
    public static func *= (a: inout UInt256, b: UInt256) { a = a * b }
}
