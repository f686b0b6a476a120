/// What the curve arithmetic needs of a coordinate field (Fp for G1, Fp2 for G2).
protocol CurveField: Equatable, Sendable {
    static var zero: Self { get }
    static var one: Self { get }
    /// b of y^2 = x^3 + b.
    static var curveB: Self { get }
    var isZero: Bool { get }
    var doubled: Self { get }
    var squared: Self { get }
    var inverse: Self { get }
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static prefix func - (a: Self) -> Self
}

extension Fp: CurveField {
    /// G1: y^2 = x^3 + 3 (Montgomery form of 3).
    static let curveB = Fp(0x7a17_caa9_50ad_28d7, 0x1f6a_c17a_e155_21b9, 0x334b_ea4e_696b_d284, 0x2a1f_6744_ce17_9d8e)
}

extension Fp2: CurveField {
    /// G2 lies on the D-type twist y^2 = x^3 + 3 / xi.
    static let curveB = Fp2(
        Fp(0x3bf9_38e3_77b8_02a8, 0x020b_1b27_3633_535d, 0x26b7_edf0_4975_5260, 0x2514_c632_4384_a86d),
        Fp(0x38e7_eccc_d1dc_ff67, 0x65f0_b37d_93ce_0d3e, 0xd749_d0dd_22ac_00aa, 0x0141_b9ce_4a68_8d4d))
}

/// An affine point; nil stands for the point at infinity wherever an optional is used.
struct AffinePoint<F: CurveField>: Equatable, Sendable {
    var x: F, y: F

    var isOnCurve: Bool { y.squared == x.squared * x + F.curveB }
}

/// Jacobian coordinates (x = X/Z^2, y = Y/Z^3) so that adding and doubling need no inversion;
/// Z = 0 is the point at infinity.
struct JacobianPoint<F: CurveField>: Equatable, Sendable {
    var x: F, y: F, z: F

    static var infinity: JacobianPoint { JacobianPoint(x: .one, y: .one, z: .zero) }

    init(x: F, y: F, z: F) { self.x = x; self.y = y; self.z = z }

    init(_ p: AffinePoint<F>?) {
        if let p { self.init(x: p.x, y: p.y, z: .one) } else { self = .infinity }
    }

    var isInfinity: Bool { z.isZero }

    /// Same point: X1 Z2^2 == X2 Z1^2 and Y1 Z2^3 == Y2 Z1^3, or both infinity.
    static func == (a: JacobianPoint, b: JacobianPoint) -> Bool {
        if a.isInfinity || b.isInfinity { return a.isInfinity && b.isInfinity }
        let za2 = a.z.squared, zb2 = b.z.squared
        return a.x * zb2 == b.x * za2 && a.y * zb2 * b.z == b.y * za2 * a.z
    }

    var affine: AffinePoint<F>? {
        guard !isInfinity else { return nil }
        let zInv = z.inverse
        let zInv2 = zInv.squared
        return AffinePoint(x: x * zInv2, y: y * zInv2 * zInv)
    }

    /// dbl-2009-l for a = 0.
    var doubled: JacobianPoint {
        guard !isInfinity else { return self }
        let a = x.squared
        let b = y.squared
        let c = b.squared
        let d = ((x + b).squared - a - c).doubled
        let e = a.doubled + a
        let x3 = e.squared - d.doubled
        let y3 = e * (d - x3) - c.doubled.doubled.doubled
        let z3 = (y * z).doubled
        return JacobianPoint(x: x3, y: y3, z: z3)
    }

    /// add-2007-bl, falling back to doubling for equal points; opposite points give infinity.
    static func + (p: JacobianPoint, q: JacobianPoint) -> JacobianPoint {
        if p.isInfinity { return q }
        if q.isInfinity { return p }
        let z1z1 = p.z.squared
        let z2z2 = q.z.squared
        let u1 = p.x * z2z2
        let u2 = q.x * z1z1
        let s1 = p.y * q.z * z2z2
        let s2 = q.y * p.z * z1z1
        let h = u2 - u1
        let r = (s2 - s1).doubled
        if h.isZero { return r.isZero ? p.doubled : .infinity }
        let i = h.doubled.squared
        let j = h * i
        let v = u1 * i
        let x3 = r.squared - j - v.doubled
        let y3 = r * (v - x3) - (s1 * j).doubled
        let z3 = ((p.z + q.z).squared - z1z1 - z2z2) * h
        return JacobianPoint(x: x3, y: y3, z: z3)
    }

    /// Double-and-add over a scalar given as 64-bit limbs, most significant first.
    func multiplied(byLimbs limbs: [UInt64]) -> JacobianPoint {
        var result = JacobianPoint.infinity
        for limb in limbs {
            for bit in stride(from: 63, through: 0, by: -1) {
                result = result.doubled
                if (limb >> UInt64(bit)) & 1 == 1 { result = result + self }
            }
        }
        return result
    }
}

enum BN254 {
    /// A G1 point from 64 bytes (x, y): coordinates below p and on the curve; (0, 0) is infinity.
    /// nil means invalid input.
    static func decodeG1(_ bytes: ArraySlice<UInt8>) -> AffinePoint<Fp>?? {
        let b = bytes.startIndex
        guard let x = Fp(bigEndian: bytes[b..<b + 32]), let y = Fp(bigEndian: bytes[b + 32..<b + 64]) else { return nil }
        if x.isZero && y.isZero { return .some(nil) }
        let point = AffinePoint(x: x, y: y)
        // G1 has cofactor 1: every curve point is in the group.
        return point.isOnCurve ? .some(point) : nil
    }

    /// A G2 point from 128 bytes (x.im, x.re, y.im, y.re): coordinates below p, on the twist and
    /// in the order-r subgroup (the twist has a large cofactor); all zeros is infinity.
    static func decodeG2(_ bytes: ArraySlice<UInt8>) -> AffinePoint<Fp2>?? {
        let b = bytes.startIndex
        guard let xi = Fp(bigEndian: bytes[b..<b + 32]), let xr = Fp(bigEndian: bytes[b + 32..<b + 64]),
              let yi = Fp(bigEndian: bytes[b + 64..<b + 96]), let yr = Fp(bigEndian: bytes[b + 96..<b + 128])
        else { return nil }
        let point = AffinePoint(x: Fp2(xr, xi), y: Fp2(yr, yi))
        if point.x.isZero && point.y.isZero { return .some(nil) }
        guard point.isOnCurve, isInG2(point) else { return nil }
        return .some(point)
    }

    /// Subgroup membership of a twist point: [u+1]Q + psi([u]Q) + psi^2([u]Q) == psi^3([2u]Q),
    /// psi being the untwist-Frobenius-twist endomorphism. El Housni, Guillevic and Piellard
    /// (ePrint 2022/348) prove it equivalent to [r]Q == O for BN254's u (u mod 13 != 4,
    /// u mod 97 != 92); it needs a 63-bit multiplication instead of a 254-bit one.
    static func isInG2(_ q: AffinePoint<Fp2>) -> Bool {
        let point = JacobianPoint(q)
        let uq = point.multiplied(byLimbs: [Pairing.u])
        let lhs = uq + point + psi(uq) + psi(psi(uq))
        let rhs = psi(psi(psi(uq.doubled)))
        return lhs == rhs
    }

    /// psi(x, y) = (conj(x) xi^((p-1)/3), conj(y) xi^((p-1)/2)); conjugation is a field
    /// automorphism, so it applies to Jacobian X, Y, Z alike.
    static func psi(_ q: JacobianPoint<Fp2>) -> JacobianPoint<Fp2> {
        JacobianPoint(x: q.x.conjugate * Pairing.frobeniusX, y: q.y.conjugate * Pairing.frobeniusY, z: q.z.conjugate)
    }

    static func encodeG1(_ point: AffinePoint<Fp>?) -> [UInt8] {
        guard let point else { return [UInt8](repeating: 0, count: 64) }
        return point.x.bigEndianBytes + point.y.bigEndianBytes
    }
}
