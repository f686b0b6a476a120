/// Fp2 = Fp[u] / (u^2 + 1), the field of G2's coordinates.
struct Fp2: Equatable, Sendable {
    var c0: Fp, c1: Fp

    @inline(__always)
    init(_ c0: Fp, _ c1: Fp) { self.c0 = c0; self.c1 = c1 }

    static let zero = Fp2(.zero, .zero)
    static let one = Fp2(.one, .zero)

    var isZero: Bool { c0.isZero && c1.isZero }

    @inline(__always) static func + (a: Fp2, b: Fp2) -> Fp2 { Fp2(a.c0 + b.c0, a.c1 + b.c1) }
    @inline(__always) static func - (a: Fp2, b: Fp2) -> Fp2 { Fp2(a.c0 - b.c0, a.c1 - b.c1) }
    @inline(__always) static prefix func - (a: Fp2) -> Fp2 { Fp2(-a.c0, -a.c1) }
    @inline(__always) var doubled: Fp2 { Fp2(c0.doubled, c1.doubled) }

    /// Karatsuba: three base-field multiplications.
    @inline(__always)
    static func * (a: Fp2, b: Fp2) -> Fp2 {
        let t0 = a.c0 * b.c0
        let t1 = a.c1 * b.c1
        let t2 = (a.c0 + a.c1) * (b.c0 + b.c1)
        return Fp2(t0 - t1, t2 - t0 - t1)
    }

    @inline(__always)
    static func * (a: Fp2, b: Fp) -> Fp2 { Fp2(a.c0 * b, a.c1 * b) }

    @inline(__always)
    var squared: Fp2 {
        let t = c0 * c1
        return Fp2((c0 + c1) * (c0 - c1), t.doubled)
    }

    /// Multiplication by xi = 9 + u, the non-residue that builds Fp6 and the twist.
    @inline(__always)
    var timesXi: Fp2 {
        let nine0 = c0.doubled.doubled.doubled + c0
        let nine1 = c1.doubled.doubled.doubled + c1
        return Fp2(nine0 - c1, c0 + nine1)
    }

    /// The p-power Frobenius map on Fp2.
    @inline(__always)
    var conjugate: Fp2 { Fp2(c0, -c1) }

    var inverse: Fp2 {
        let norm = (c0.squared + c1.squared).inverse
        return Fp2(c0 * norm, -(c1 * norm))
    }
}
