/// The optimal ate pairing on bn254: a Miller loop over 6u+2 (u = 4965661367192848881) with
/// G2 kept in affine twist coordinates, then the final exponentiation (p^12 - 1) / r.
enum Pairing {
    /// 6u + 2 = 0x19d797039be763ba8, 65 bits; the loop walks its bits below the top one.
    static let loopCount: UInt128 = 0x1_9d79_7039_be76_3ba8
    static let loopBits = 65

    /// xi^((p-1)/3) and xi^((p-1)/2): the p-power Frobenius on the twist multiplies the
    /// conjugated coordinates by them.
    static let frobeniusX = Fp2(
        Fp(0xb577_3b10_4563_ab30, 0x347f_91c8_a9aa_6454, 0x7a00_7127_242e_0991, 0x1956_bcd8_1182_14ec),
        Fp(0x6e84_9f1e_a0aa_4757, 0xaa1c_7b6d_89f8_9141, 0xb6e7_13cd_fae0_ca3a, 0x2669_4fbb_4e82_ebc3))
    static let frobeniusY = Fp2(
        Fp(0xe4bb_dd0c_2936_b629, 0xbb30_f162_e133_bacb, 0x31a9_d1b6_f964_5366, 0x2535_70be_a500_f8dd),
        Fp(0xa1d7_7ce4_5ffe_77c7, 0x07af_fd11_7826_d1db, 0x6d16_bd27_bb7e_dc6b, 0x2c87_2002_85de_fecc))
    /// xi^((p^2-1)/3) and xi^((p^2-1)/2), both in Fp: the p^2-power Frobenius on the twist.
    static let frobenius2X = Fp(0x3350_c88e_13e8_0b9c, 0x7dce_557c_db5e_56b9, 0x6001_b4b8_b615_564a, 0x2682_e617_0202_17e0)
    static let frobenius2Y = Fp(0x68c3_4889_12ed_efaa, 0x8d08_7f68_72aa_bf4f, 0x51e1_a247_0908_1231, 0x2259_d6b1_4729_c0fa)

    /// (p^4 - p^2 + 1) / r, 761 bits, least significant limb first.
    static let hardExponent: [UInt64] = [
        0xe81b_b482_ccdf_42b1, 0x5abf_5cc4_f49c_36d4, 0xf115_4e7e_1da0_14fd, 0xdcc7_b44c_87cd_bacf,
        0xaaa4_41e3_954b_cf8a, 0x6b88_7d56_d509_5f23, 0x7958_1e16_f3fd_90c6, 0x3b1b_1355_d189_227d,
        0x4e52_9a58_6187_6f6b, 0x6c0e_b522_d5b1_2278, 0x331e_c151_8317_7faf, 0x01ba_aa71_0b07_59ad,
    ]

    /// True when the product of e(P_i, Q_i) is one. Pairs with a point at infinity contribute one.
    static func productIsOne(_ pairs: [(AffinePoint<Fp>, AffinePoint<Fp2>)]) -> Bool {
        var f = Fp12.one
        for (p, q) in pairs { f = f * millerLoop(p, q) }
        return finalExponentiation(f) == .one
    }

    static func millerLoop(_ p: AffinePoint<Fp>, _ q: AffinePoint<Fp2>) -> Fp12 {
        var f = Fp12.one
        var t: AffinePoint<Fp2>? = q
        for i in stride(from: loopBits - 2, through: 0, by: -1) {
            let current = t
            f = f.squared * step(&t, current, p)
            if (loopCount >> UInt128(i)) & 1 == 1 { f = f * step(&t, q, p) }
        }
        let q1 = AffinePoint(x: q.x.conjugate * frobeniusX, y: q.y.conjugate * frobeniusY)
        let minusQ2 = AffinePoint(x: q.x * frobenius2X, y: -(q.y * frobenius2Y))
        f = f * step(&t, q1, p)
        // T is now [6u+2+p]Q and -Q2 = -[p^2]Q: their sum is infinity, the line vertical; its
        // value lies in Fp6 and the final exponentiation would erase it, but it costs little.
        f = f * step(&t, minusQ2, p)
        return f
    }

    /// Replaces T with T + R and returns the line through them (the tangent when R == T)
    /// evaluated at P. On the untwisted curve the points are (x w^2, y w^3) and the slope is
    /// lambda * w, so the line is yP - lambda xP w + (lambda xT - yT) w^3.
    static func step(_ t: inout AffinePoint<Fp2>?, _ r: AffinePoint<Fp2>?, _ p: AffinePoint<Fp>) -> Fp12 {
        // Only the last addition can reach infinity, and nothing follows it.
        guard let tp = t, let rp = r else { preconditionFailure("Miller loop met the point at infinity") }
        let lambda: Fp2
        if tp.x == rp.x {
            if tp.y != rp.y || tp.y.isZero {
                t = nil
                // Vertical line xP - xT w^2.
                return Fp12(Fp6(Fp2(p.x, .zero), -tp.x, .zero), .zero)
            }
            let x2 = tp.x.squared
            lambda = (x2.doubled + x2) * tp.y.doubled.inverse
        } else {
            lambda = (rp.y - tp.y) * (rp.x - tp.x).inverse
        }
        let x3 = lambda.squared - tp.x - rp.x
        let y3 = lambda * (tp.x - x3) - tp.y
        t = AffinePoint(x: x3, y: y3)
        return Fp12(Fp6(Fp2(p.y, .zero), .zero, .zero),
                    Fp6(-(lambda * p.x), lambda * tp.x - tp.y, .zero))
    }

    static func finalExponentiation(_ f: Fp12) -> Fp12 {
        // Easy part: f^((p^6 - 1)(p^2 + 1)).
        var g = f.conjugate * f.inverse
        g = g.frobeniusSquared * g
        // Hard part by plain square-and-multiply.
        var result = Fp12.one
        for limb in hardExponent.reversed() {
            for bit in stride(from: 63, through: 0, by: -1) {
                result = result.squared
                if (limb >> UInt64(bit)) & 1 == 1 { result = result * g }
            }
        }
        return result
    }
}
