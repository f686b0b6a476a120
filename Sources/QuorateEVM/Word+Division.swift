import QuorateCore

/// Knuth's algorithm D on 64-bit limbs: DIV, MOD, SDIV, SMOD, ADDMOD and MULMOD share it.
/// All buffers live on the native stack (`withUnsafeTemporaryAllocation`), so no opcode
/// allocates.
@usableFromInline enum LimbDivision {
    /// Divides `u` (`ulen` limbs) by `v` (`vlen` limbs, top limb non-zero, `ulen >= vlen`).
    /// Writes `ulen - vlen + 1` quotient limbs to `q` and `vlen` remainder limbs to `r`;
    /// `scratch` holds at least `ulen + vlen + 1` limbs.
    @inlinable static func divide(u: UnsafePointer<UInt64>, ulen: Int, v: UnsafePointer<UInt64>, vlen: Int,
                       q: UnsafeMutablePointer<UInt64>, r: UnsafeMutablePointer<UInt64>,
                       scratch: UnsafeMutablePointer<UInt64>) {
        if vlen == 1 {
            var rem: UInt64 = 0
            var i = ulen - 1
            while i >= 0 {
                let (qi, ri) = v[0].dividingFullWidth((high: rem, low: u[i]))
                q[i] = qi
                rem = ri
                i -= 1
            }
            r[0] = rem
            return
        }
        // Normalise so the divisor's top bit is set; the quotient digit estimate is then off by
        // at most two.
        let s = UInt64(v[vlen - 1].leadingZeroBitCount)
        let vn = scratch
        let un = scratch + vlen
        var i = vlen - 1
        while i > 0 {
            vn[i] = (v[i] << s) | (v[i - 1] >> (64 - s))
            i -= 1
        }
        vn[0] = v[0] << s
        un[ulen] = u[ulen - 1] >> (64 - s)
        i = ulen - 1
        while i > 0 {
            un[i] = (u[i] << s) | (u[i - 1] >> (64 - s))
            i -= 1
        }
        un[0] = u[0] << s
        let vtop = vn[vlen - 1], vnext = vn[vlen - 2]
        var j = ulen - vlen
        while j >= 0 {
            q[j] = step(un: un + j, vn: vn, vlen: vlen, vtop: vtop, vnext: vnext)
            j -= 1
        }
        for k in 0..<vlen {
            r[k] = (un[k] >> s) | (un[k + 1] << (64 - s))
        }
    }

    /// One quotient digit: estimate, correct, multiply-subtract, add back when negative.
    @inline(__always)
    @inlinable static func step(un: UnsafeMutablePointer<UInt64>, vn: UnsafeMutablePointer<UInt64>,
                             vlen: Int, vtop: UInt64, vnext: UInt64) -> UInt64 {
        let ujn = un[vlen], ujn1 = un[vlen - 1], ujn2 = un[vlen - 2]
        var qhat: UInt64, rhat: UInt64
        var rhatOverflow = false
        if ujn >= vtop {
            qhat = .max
            (rhat, rhatOverflow) = ujn1.addingReportingOverflow(vtop)
        } else {
            (qhat, rhat) = vtop.dividingFullWidth((high: ujn, low: ujn1))
        }
        while !rhatOverflow {
            let (ph, pl) = qhat.multipliedFullWidth(by: vnext)
            guard ph > rhat || (ph == rhat && pl > ujn2) else { break }
            qhat &-= 1
            (rhat, rhatOverflow) = rhat.addingReportingOverflow(vtop)
        }
        var borrow: UInt64 = 0, carry: UInt64 = 0
        for i in 0..<vlen {
            let (ph, pl) = qhat.multipliedFullWidth(by: vn[i])
            let (plc, c1) = pl.addingReportingOverflow(carry)
            carry = ph &+ (c1 ? 1 : 0)
            let (d1, b1) = un[i].subtractingReportingOverflow(plc)
            let (d2, b2) = d1.subtractingReportingOverflow(borrow)
            un[i] = d2
            borrow = (b1 ? 1 : 0) &+ (b2 ? 1 : 0)
        }
        let (d1, b1) = un[vlen].subtractingReportingOverflow(carry)
        let (d2, b2) = d1.subtractingReportingOverflow(borrow)
        un[vlen] = d2
        if b1 || b2 {
            qhat &-= 1
            var c: UInt64 = 0
            for i in 0..<vlen {
                let (s1, o1) = un[i].addingReportingOverflow(vn[i])
                let (s2, o2) = s1.addingReportingOverflow(c)
                un[i] = s2
                c = (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
            }
            un[vlen] = un[vlen] &+ c
        }
        return qhat
    }

    /// `numerator` (`nlen` limbs, any top) modulo / divided by a non-zero word.
    @inlinable static func divMod(_ numerator: UnsafePointer<UInt64>, _ nlen: Int, _ d: UInt256) -> (UInt256, UInt256) {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 32) { buf in
            let base = buf.baseAddress!
            let v = base, q = base + 4, r = base + 14, scratch = base + 18
            v[0] = d.l0; v[1] = d.l1; v[2] = d.l2; v[3] = d.l3
            var vlen = 4
            while vlen > 1 && v[vlen - 1] == 0 { vlen -= 1 }
            var ulen = nlen
            while ulen > 1 && numerator[ulen - 1] == 0 { ulen -= 1 }
            if ulen < vlen {
                var rem = UInt256.zero
                rem.l0 = numerator[0]
                if ulen > 1 { rem.l1 = numerator[1] }
                if ulen > 2 { rem.l2 = numerator[2] }
                return (.zero, rem)
            }
            for k in 0..<10 { q[k] = 0 }
            for k in 0..<4 { r[k] = 0 }
            divide(u: numerator, ulen: ulen, v: v, vlen: vlen, q: q, r: r, scratch: scratch)
            // Callers only use the low 256 bits of a quotient (DIV has a 4-limb numerator).
            return (UInt256(limbs: q[0], q[1], q[2], q[3]), UInt256(limbs: r[0], r[1], r[2], r[3]))
        }
    }
}
