/// An element of the bn254 base field, p = 0x30644e72...d87cfd47, held in Montgomery form
/// (value * 2^256 mod p) as four little-endian 64-bit limbs, so that multiplication needs no
/// division. Every value stays fully reduced (< p), so equality is limb equality.
struct Fp: Equatable, Sendable {
    var l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64

    @inline(__always)
    init(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64) {
        self.l0 = l0; self.l1 = l1; self.l2 = l2; self.l3 = l3
    }

    static let modulus = Fp(0x3c20_8c16_d87c_fd47, 0x9781_6a91_6871_ca8d, 0xb850_45b6_8181_585d, 0x3064_4e72_e131_a029)
    /// -p^-1 mod 2^64, the Montgomery reduction factor.
    static let montInv: UInt64 = 0x87d2_0782_e486_6389
    /// 2^512 mod p: multiplying by it moves a plain value into Montgomery form.
    static let r2 = Fp(0xf32c_fc5b_538a_fa89, 0xb5e7_1911_d445_01fb, 0x47ab_1eff_0a41_7ff6, 0x06d8_9f71_cab8_351f)
    static let zero = Fp(0, 0, 0, 0)
    /// 2^256 mod p: one in Montgomery form.
    static let one = Fp(0xd35d_438d_c58f_0d9d, 0x0a78_eb28_f5c7_0b3d, 0x666e_a36f_7879_462c, 0x0e0a_77c1_9a07_df2f)
    static let pMinus2: (UInt64, UInt64, UInt64, UInt64) =
        (0x3c20_8c16_d87c_fd45, 0x9781_6a91_6871_ca8d, 0xb850_45b6_8181_585d, 0x3064_4e72_e131_a029)

    var isZero: Bool { (l0 | l1 | l2 | l3) == 0 }

    /// Parses a 32-byte big-endian integer; nil when it is not below p (EIP-196 refuses it).
    init?(bigEndian bytes: ArraySlice<UInt8>) {
        precondition(bytes.count == 32, "an Fp element is 32 bytes")
        let raw = Fp.limbs(bigEndian: bytes)
        guard Fp.subtractP(raw) == nil else { return nil }
        self = raw * Fp.r2
    }

    /// The canonical 32-byte big-endian encoding (out of Montgomery form).
    var bigEndianBytes: [UInt8] {
        let plain = self * Fp(1, 0, 0, 0)
        var out = [UInt8](repeating: 0, count: 32)
        for (i, limb) in [plain.l3, plain.l2, plain.l1, plain.l0].enumerated() {
            for j in 0..<8 { out[i * 8 + j] = UInt8(truncatingIfNeeded: limb >> (56 - 8 * UInt64(j))) }
        }
        return out
    }

    static func limbs(bigEndian bytes: ArraySlice<UInt8>) -> Fp {
        let b = bytes.startIndex
        func limb(_ k: Int) -> UInt64 {
            var v: UInt64 = 0
            for j in 0..<8 { v = v << 8 | UInt64(bytes[b + 24 - 8 * k + j]) }
            return v
        }
        return Fp(limb(0), limb(1), limb(2), limb(3))
    }

    /// x - p when x >= p, nil when x < p.
    @inline(__always)
    static func subtractP(_ x: Fp) -> Fp? {
        let (d0, b0) = x.l0.subtractingReportingOverflow(modulus.l0)
        let (d1, b1) = sbb(x.l1, modulus.l1, b0)
        let (d2, b2) = sbb(x.l2, modulus.l2, b1)
        let (d3, b3) = sbb(x.l3, modulus.l3, b2)
        return b3 ? nil : Fp(d0, d1, d2, d3)
    }

    @inline(__always)
    static func sbb(_ a: UInt64, _ b: UInt64, _ borrow: Bool) -> (UInt64, Bool) {
        let (d, o1) = a.subtractingReportingOverflow(b)
        let (e, o2) = d.subtractingReportingOverflow(borrow ? 1 : 0)
        return (e, o1 || o2)
    }

    @inline(__always)
    static func adc(_ a: UInt64, _ b: UInt64, _ carry: Bool) -> (UInt64, Bool) {
        let (s, o1) = a.addingReportingOverflow(b)
        let (t, o2) = s.addingReportingOverflow(carry ? 1 : 0)
        return (t, o1 || o2)
    }

    /// a * b + c + carry as (high, low); it cannot overflow 128 bits.
    @inline(__always)
    static func mac(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ carry: UInt64) -> (UInt64, UInt64) {
        let (h, l) = a.multipliedFullWidth(by: b)
        let (l1, o1) = l.addingReportingOverflow(c)
        let (l2, o2) = l1.addingReportingOverflow(carry)
        return (h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0), l2)
    }

    // p < 2^254, so sums of two reduced values never overflow 256 bits.
    @inline(__always)
    static func + (a: Fp, b: Fp) -> Fp {
        let (s0, c0) = a.l0.addingReportingOverflow(b.l0)
        let (s1, c1) = adc(a.l1, b.l1, c0)
        let (s2, c2) = adc(a.l2, b.l2, c1)
        let (s3, _) = adc(a.l3, b.l3, c2)
        let s = Fp(s0, s1, s2, s3)
        return subtractP(s) ?? s
    }

    @inline(__always)
    static func - (a: Fp, b: Fp) -> Fp {
        let (d0, b0) = a.l0.subtractingReportingOverflow(b.l0)
        let (d1, b1) = sbb(a.l1, b.l1, b0)
        let (d2, b2) = sbb(a.l2, b.l2, b1)
        let (d3, b3) = sbb(a.l3, b.l3, b2)
        guard b3 else { return Fp(d0, d1, d2, d3) }
        let (e0, c0) = d0.addingReportingOverflow(modulus.l0)
        let (e1, c1) = adc(d1, modulus.l1, c0)
        let (e2, c2) = adc(d2, modulus.l2, c1)
        let (e3, _) = adc(d3, modulus.l3, c2)
        return Fp(e0, e1, e2, e3)
    }

    @inline(__always)
    static prefix func - (a: Fp) -> Fp { zero - a }

    @inline(__always)
    var doubled: Fp { self + self }

    /// Montgomery multiplication (CIOS): a * b / 2^256 mod p.
    @inline(__always)
    static func * (a: Fp, b: Fp) -> Fp {
        var t: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        montgomeryRound(&t, a, b.l0)
        montgomeryRound(&t, a, b.l1)
        montgomeryRound(&t, a, b.l2)
        montgomeryRound(&t, a, b.l3)
        // The result is below 2p < 2^256, so t.4 is zero here.
        let r = Fp(t.0, t.1, t.2, t.3)
        return subtractP(r) ?? r
    }

    /// t = (t + a * bi + m * p) / 2^64 with m chosen so that the division is exact.
    @inline(__always)
    static func montgomeryRound(_ t: inout (UInt64, UInt64, UInt64, UInt64, UInt64), _ a: Fp, _ bi: UInt64) {
        var c: UInt64
        var t0: UInt64, t1: UInt64, t2: UInt64, t3: UInt64
        (c, t0) = mac(a.l0, bi, t.0, 0)
        (c, t1) = mac(a.l1, bi, t.1, c)
        (c, t2) = mac(a.l2, bi, t.2, c)
        (c, t3) = mac(a.l3, bi, t.3, c)
        let (s4, o4) = t.4.addingReportingOverflow(c)
        let m = t0 &* montInv
        (c, _) = mac(m, modulus.l0, t0, 0)
        (c, t.0) = mac(m, modulus.l1, t1, c)
        (c, t.1) = mac(m, modulus.l2, t2, c)
        (c, t.2) = mac(m, modulus.l3, t3, c)
        let (s3, o3) = s4.addingReportingOverflow(c)
        t.3 = s3
        t.4 = (o4 ? 1 : 0) &+ (o3 ? 1 : 0)
    }

    @inline(__always)
    var squared: Fp { self * self }

    /// Fermat inversion, a^(p-2); zero maps to zero (callers never invert zero on purpose).
    var inverse: Fp {
        var result = Fp.one
        let e = Fp.pMinus2
        Fp.accumulatePower(&result, self, e.3)
        Fp.accumulatePower(&result, self, e.2)
        Fp.accumulatePower(&result, self, e.1)
        Fp.accumulatePower(&result, self, e.0)
        return result
    }

    /// One 64-bit step of left-to-right square-and-multiply.
    @inline(__always)
    static func accumulatePower(_ result: inout Fp, _ base: Fp, _ limb: UInt64) {
        for bit in stride(from: 63, through: 0, by: -1) {
            result = result.squared
            if (limb >> UInt64(bit)) & 1 == 1 { result = result * base }
        }
    }
}
