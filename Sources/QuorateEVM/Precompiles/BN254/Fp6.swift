/// Fp6 = Fp2[v] / (v^3 - xi).
struct Fp6: Equatable, Sendable {
    var c0: Fp2, c1: Fp2, c2: Fp2

    @inline(__always)
    init(_ c0: Fp2, _ c1: Fp2, _ c2: Fp2) { self.c0 = c0; self.c1 = c1; self.c2 = c2 }

    static let zero = Fp6(.zero, .zero, .zero)
    static let one = Fp6(.one, .zero, .zero)

    @inline(__always) static func + (a: Fp6, b: Fp6) -> Fp6 { Fp6(a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2) }
    @inline(__always) static func - (a: Fp6, b: Fp6) -> Fp6 { Fp6(a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2) }
    @inline(__always) static prefix func - (a: Fp6) -> Fp6 { Fp6(-a.c0, -a.c1, -a.c2) }

    /// Karatsuba over three coefficients: six Fp2 multiplications.
    @inline(__always)
    static func * (a: Fp6, b: Fp6) -> Fp6 {
        let t0 = a.c0 * b.c0
        let t1 = a.c1 * b.c1
        let t2 = a.c2 * b.c2
        let c0 = ((a.c1 + a.c2) * (b.c1 + b.c2) - t1 - t2).timesXi + t0
        let c1 = (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1 + t2.timesXi
        let c2 = (a.c0 + a.c2) * (b.c0 + b.c2) - t0 - t2 + t1
        return Fp6(c0, c1, c2)
    }

    @inline(__always)
    var squared: Fp6 { self * self }

    /// Multiplication by v: the coefficients rotate and the one that wraps gains xi.
    @inline(__always)
    var timesV: Fp6 { Fp6(c2.timesXi, c0, c1) }

    var inverse: Fp6 {
        let a = c0.squared - (c1 * c2).timesXi
        let b = c2.squared.timesXi - c0 * c1
        let c = c1.squared - c0 * c2
        let norm = (c0 * a + (c2 * b + c1 * c).timesXi).inverse
        return Fp6(a * norm, b * norm, c * norm)
    }
}

/// Fp12 = Fp6[w] / (w^2 - v), where the pairing takes its values.
struct Fp12: Equatable, Sendable {
    var c0: Fp6, c1: Fp6

    @inline(__always)
    init(_ c0: Fp6, _ c1: Fp6) { self.c0 = c0; self.c1 = c1 }

    static let one = Fp12(.one, .zero)

    @inline(__always)
    static func * (a: Fp12, b: Fp12) -> Fp12 {
        let t0 = a.c0 * b.c0
        let t1 = a.c1 * b.c1
        let c1 = (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1
        return Fp12(t0 + t1.timesV, c1)
    }

    /// Complex squaring: two Fp6 multiplications instead of three.
    @inline(__always)
    var squared: Fp12 {
        let t = c0 * c1
        let c0n = (c0 + c1) * (c0 + c1.timesV) - t - t.timesV
        return Fp12(c0n, t + t)
    }

    /// f^(p^6): w maps to -w.
    var conjugate: Fp12 { Fp12(c0, -c1) }

    var inverse: Fp12 {
        let norm = (c0.squared - c1.squared.timesV).inverse
        return Fp12(c0 * norm, -(c1 * norm))
    }

    /// f^(p^2). Fp2 coefficients are fixed by it; the coefficient of w^i gains
    /// xi^(i(p^2-1)/6), which lies in Fp (constants computed offline, Montgomery form).
    var frobeniusSquared: Fp12 {
        let g = Fp12.frobenius2Coefficients
        return Fp12(Fp6(c0.c0, c0.c1 * g.w2, c0.c2 * g.w4),
                    Fp6(c1.c0 * g.w1, c1.c1 * g.w3, c1.c2 * g.w5))
    }

    static let frobenius2Coefficients = (
        w1: Fp(0xca8d_8005_00fa_1bf2, 0xf0c5_d614_68b3_9769, 0x0e20_1271_ad0d_4418, 0x0429_0f65_bad8_56e6),
        w2: Fp(0x3350_c88e_13e8_0b9c, 0x7dce_557c_db5e_56b9, 0x6001_b4b8_b615_564a, 0x2682_e617_0202_17e0),
        w3: Fp(0x68c3_4889_12ed_efaa, 0x8d08_7f68_72aa_bf4f, 0x51e1_a247_0908_1231, 0x2259_d6b1_4729_c0fa),
        w4: Fp(0x7193_0c11_d782_e155, 0xa6bb_947c_ffbe_3323, 0xaa30_3344_d474_1444, 0x2c3b_3f0d_2659_4943),
        w5: Fp(0x08cf_c388_c494_f1ab, 0x19b3_1514_8d13_73d4, 0x584e_90fd_cb6c_0213, 0x09e1_685b_df2f_8849)
    )
}
