/// The optimal ate pairing on bn254: a Miller loop over 6u+2 (u = 4965661367192848881) with
/// G2 in Jacobian twist coordinates, then the final exponentiation (p^12 - 1) / r.
enum Pairing {
    /// 6u + 2 = 0x19d797039be763ba8, 65 bits; the loop walks its bits below the top one.
    static let loopCount: UInt128 = 0x1_9d79_7039_be76_3ba8
    static let loopBits = 65
    /// u, the curve's parameter, 63 bits.
    static let u: UInt64 = 0x44e9_92b4_4a69_09f1

    /// xi^((p-1)/3) and xi^((p-1)/2): the p-power Frobenius on the twist multiplies the
    /// conjugated coordinates by them.
    static let frobeniusX = Fp12.frobeniusCoefficients.w2
    static let frobeniusY = Fp12.frobeniusCoefficients.w3
    /// xi^((p^2-1)/3) and xi^((p^2-1)/2), both in Fp: the p^2-power Frobenius on the twist.
    static let frobenius2X = Fp12.frobenius2Coefficients.w2
    static let frobenius2Y = Fp12.frobenius2Coefficients.w3

    /// True when the product of e(P_i, Q_i) is one. Pairs with a point at infinity contribute one.
    static func productIsOne(_ pairs: [(AffinePoint<Fp>, AffinePoint<Fp2>)]) -> Bool {
        finalExponentiation(millerLoop(pairs)) == .one
    }

    /// The product of the pairs' Miller loops, run side by side so that the accumulator is
    /// squared once per step for all pairs. Lines are scaled by non-zero Fp2 factors and
    /// vertical lines are dropped: both are elements of Fp6, which the final exponentiation
    /// maps to one.
    static func millerLoop(_ pairs: [(AffinePoint<Fp>, AffinePoint<Fp2>)]) -> Fp12 {
        var f = Fp12.one
        var ts = pairs.map { JacobianPoint($0.1) }
        for i in stride(from: loopBits - 2, through: 0, by: -1) {
            f = f.squared
            for k in pairs.indices { f = f.multiplied(by: doublingLine(&ts[k], pairs[k].0)) }
            guard (loopCount >> UInt128(i)) & 1 == 1 else { continue }
            for k in pairs.indices {
                if let line = additionLine(&ts[k], pairs[k].1, pairs[k].0) { f = f.multiplied(by: line) }
            }
        }
        for k in pairs.indices {
            let (p, q) = pairs[k]
            let q1 = AffinePoint(x: q.x.conjugate * frobeniusX, y: q.y.conjugate * frobeniusY)
            let minusQ2 = AffinePoint(x: q.x * frobenius2X, y: -(q.y * frobenius2Y))
            if let line = additionLine(&ts[k], q1, p) { f = f.multiplied(by: line) }
            // T + (-Q2) is infinity ([6u+2+p-p^2]Q = O): its line is vertical and dropped.
            if let line = additionLine(&ts[k], minusQ2, p) { f = f.multiplied(by: line) }
        }
        return f
    }

    /// Replaces T with 2T and returns the tangent at T evaluated at P. With T = (X/Z^2, Y/Z^3)
    /// on the twist, the untwisted slope is lambda * w with lambda = 3X^2 / (2YZ); the line
    /// yP - lambda xP w + (lambda x - y) w^3 is scaled by 2YZ^3.
    static func doublingLine(_ t: inout JacobianPoint<Fp2>, _ p: AffinePoint<Fp>) -> SparseLine {
        // T is [k]Q with 0 < k < r throughout the loop, never infinity and never of order 2.
        precondition(!t.isInfinity, "Miller loop doubled the point at infinity")
        let zz = t.z.squared
        let x2 = t.x.squared
        let threeX2 = x2.doubled + x2
        let c3 = threeX2 * t.x - t.y.squared.doubled
        let c1 = -(threeX2 * zz) * p.x
        t = t.doubled
        let c0 = (t.z * zz) * p.y
        return SparseLine(w0: c0, w1: c1, w3: c3)
    }

    /// Replaces T with T + R (R affine) and returns the line through them at P, scaled by
    /// D = Z (xR Z^2 - X); nil for a vertical line. Equal points take the tangent.
    static func additionLine(_ t: inout JacobianPoint<Fp2>, _ r: AffinePoint<Fp2>, _ p: AffinePoint<Fp>) -> SparseLine? {
        precondition(!t.isInfinity, "Miller loop added to the point at infinity")
        let zz = t.z.squared
        let n = r.y * zz * t.z - t.y
        let h = r.x * zz - t.x
        if h.isZero {
            if n.isZero { return doublingLine(&t, p) }
            t = .infinity
            return nil
        }
        let d = t.z * h
        t = t + JacobianPoint(r)
        return SparseLine(w0: d * p.y, w1: -(n * p.x), w3: n * r.x - d * r.y)
    }

    /// f^((p^12 - 1) / r).
    static func finalExponentiation(_ f: Fp12) -> Fp12 {
        // Easy part: f^((p^6 - 1)(p^2 + 1)). The result is unitary: its inverse is its conjugate.
        var g = f.conjugate * f.inverse
        g = g.frobeniusSquared * g
        return hardPart(g)
    }

    /// g^((p^4 - p^2 + 1) / r) as a combination of g^u, g^(u^2), g^(u^3) and Frobenius powers
    /// (Scott et al., "On the final exponentiation for calculating pairings on ordinary
    /// elliptic curves", 2009); the exponent it yields equals (p^4 - p^2 + 1) / r exactly.
    static func hardPart(_ g: Fp12) -> Fp12 {
        let gu = g.cyclotomicPower(u)
        let gu2 = gu.cyclotomicPower(u)
        let gu3 = gu2.cyclotomicPower(u)
        let y0 = g.frobenius * g.frobeniusSquared * g.frobeniusSquared.frobenius
        let y1 = g.conjugate
        let y2 = gu2.frobeniusSquared
        let y3 = gu.frobenius.conjugate
        let y4 = (gu * gu2.frobenius).conjugate
        let y5 = gu2.conjugate
        let y6 = (gu3 * gu3.frobenius).conjugate
        var t0 = y6.cyclotomicSquared * y4 * y5
        var t1 = y3 * y5 * t0
        t0 = t0 * y2
        t1 = (t1.cyclotomicSquared * t0).cyclotomicSquared
        t0 = t1 * y1
        t1 = t1 * y0
        t0 = t0.cyclotomicSquared
        return t1 * t0
    }
}

/// A line value yP-term + w-term w + w^3-term w^3: three of Fp12's six Fp2 coefficients.
struct SparseLine {
    var w0: Fp2, w1: Fp2, w3: Fp2
}

extension Fp6 {
    /// self * (x0 + x1 v).
    @inline(__always)
    func multiplied(by x0: Fp2, _ x1: Fp2) -> Fp6 {
        let t0 = c0 * x0
        let t1 = c1 * x1
        let middle = (c0 + c1) * (x0 + x1) - t0 - t1
        return Fp6(t0 + (c2 * x1).timesXi, middle, t1 + c2 * x0)
    }

    /// self * x0 for x0 in Fp2.
    @inline(__always)
    func multiplied(by x0: Fp2) -> Fp6 { Fp6(c0 * x0, c1 * x0, c2 * x0) }
}

extension Fp12 {
    /// self * line, using the line's zeros: 13 Fp2 multiplications instead of 18.
    func multiplied(by line: SparseLine) -> Fp12 {
        let t0 = c0.multiplied(by: line.w0)
        let t1 = c1.multiplied(by: line.w1, line.w3)
        let sum = (c0 + c1).multiplied(by: line.w0 + line.w1, line.w3)
        return Fp12(t0 + t1.timesV, sum - t0 - t1)
    }

    /// self^e by square-and-multiply; self must be in the cyclotomic subgroup.
    func cyclotomicPower(_ e: UInt64) -> Fp12 {
        var result = Fp12.one
        for bit in stride(from: 63 - e.leadingZeroBitCount, through: 0, by: -1) {
            result = result.cyclotomicSquared
            if (e >> UInt64(bit)) & 1 == 1 { result = result * self }
        }
        return result
    }

    /// Granger-Scott squaring, valid only in the cyclotomic subgroup (where every value lands
    /// after the easy part of the final exponentiation). Seen over Fp4 = Fp2[s]/(s^2 - xi) with
    /// s = w^3, f = A + B w + C w^2 and f^2 = (3A^2 - 2conj A) + (3sC^2 + 2conj B) w
    /// + (3B^2 - 2conj C) w^2: three Fp4 squarings instead of two Fp6 multiplications.
    var cyclotomicSquared: Fp12 {
        // A = g0 + g3 s, B = g1 + g4 s, C = g2 + g5 s, with g_i the coefficient of w^i.
        let (a0, a1) = Fp12.fp4Squared(c0.c0, c1.c1)
        let (b0, b1) = Fp12.fp4Squared(c1.c0, c0.c2)
        let (e0, e1) = Fp12.fp4Squared(c0.c1, c1.c2)
        let g0 = (a0 - c0.c0).doubled + a0
        let g3 = (a1 + c1.c1).doubled + a1
        let xiE1 = e1.timesXi
        let g1 = (xiE1 + c1.c0).doubled + xiE1
        let g4 = (e0 - c0.c2).doubled + e0
        let g2 = (b0 - c0.c1).doubled + b0
        let g5 = (b1 + c1.c2).doubled + b1
        return Fp12(Fp6(g0, g2, g4), Fp6(g1, g3, g5))
    }

    /// (x + y s)^2 = (x^2 + xi y^2) + 2xy s.
    @inline(__always)
    static func fp4Squared(_ x: Fp2, _ y: Fp2) -> (Fp2, Fp2) {
        let x2 = x.squared
        let y2 = y.squared
        return (x2 + y2.timesXi, (x + y).squared - x2 - y2)
    }

    /// f^p: each Fp2 coefficient is conjugated and the coefficient of w^i gains xi^(i(p-1)/6).
    var frobenius: Fp12 {
        let g = Fp12.frobeniusCoefficients
        return Fp12(Fp6(c0.c0.conjugate, c0.c1.conjugate * g.w2, c0.c2.conjugate * g.w4),
                    Fp6(c1.c0.conjugate * g.w1, c1.c1.conjugate * g.w3, c1.c2.conjugate * g.w5))
    }

    /// xi^(i(p-1)/6) for i = 1...5, computed offline, Montgomery form.
    static let frobeniusCoefficients = (
        w1: Fp2(Fp(0xaf9b_a696_3314_4907, 0xca6b_1d73_87af_b78a, 0x11bd_ed5e_f08a_2087, 0x02f3_4d75_1a1f_3a7c),
                Fp(0xa222_ae23_4c49_2d72, 0xd00f_02a4_565d_e15b, 0xdc2f_f3a2_53df_c926, 0x10a7_5716_b389_9551)),
        w2: Fp2(Fp(0xb577_3b10_4563_ab30, 0x347f_91c8_a9aa_6454, 0x7a00_7127_242e_0991, 0x1956_bcd8_1182_14ec),
                Fp(0x6e84_9f1e_a0aa_4757, 0xaa1c_7b6d_89f8_9141, 0xb6e7_13cd_fae0_ca3a, 0x2669_4fbb_4e82_ebc3)),
        w3: Fp2(Fp(0xe4bb_dd0c_2936_b629, 0xbb30_f162_e133_bacb, 0x31a9_d1b6_f964_5366, 0x2535_70be_a500_f8dd),
                Fp(0xa1d7_7ce4_5ffe_77c7, 0x07af_fd11_7826_d1db, 0x6d16_bd27_bb7e_dc6b, 0x2c87_2002_85de_fecc)),
        w4: Fp2(Fp(0x7361_d77f_843a_be92, 0xa5bb_2bd3_2734_11fb, 0x9c94_1f31_4b3e_2399, 0x15df_9cdd_bb9f_d3ec),
                Fp(0x5ddd_fd15_4bd8_c949, 0x62cb_29a5_a444_5b60, 0x37bc_870a_0c7d_d2b9, 0x2483_0a9d_3171_f0fd)),
        w5: Fp2(Fp(0xc970_692f_4169_0fe7, 0xe240_3421_2769_4b0b, 0x32be_e66b_83c4_59e8, 0x12aa_bced_0ab0_8841),
                Fp(0x0d48_5d23_40ae_bfa9, 0x0519_3418_ab2f_cc57, 0xd3b0_a40b_8a49_10f5, 0x2f21_ebb5_35d2_925a))
    )
}
