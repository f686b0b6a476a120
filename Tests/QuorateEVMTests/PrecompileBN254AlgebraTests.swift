import Testing
@testable import QuorateEVM

/// self^e for e given as little-endian limbs: the slow, obviously right reference.
private func power(_ f: Fp12, limbs: [UInt64]) -> Fp12 {
    var result = Fp12.one
    for limb in limbs.reversed() {
        for bit in stride(from: 63, through: 0, by: -1) {
            result = result.squared
            if (limb >> UInt64(bit)) & 1 == 1 { result = result * f }
        }
    }
    return result
}

/// (p^4 - p^2 + 1) / r, little-endian limbs (computed offline).
private let hardExponent: [UInt64] = [
    0xe81b_b482_ccdf_42b1, 0x5abf_5cc4_f49c_36d4, 0xf115_4e7e_1da0_14fd, 0xdcc7_b44c_87cd_bacf,
    0xaaa4_41e3_954b_cf8a, 0x6b88_7d56_d509_5f23, 0x7958_1e16_f3fd_90c6, 0x3b1b_1355_d189_227d,
    0x4e52_9a58_6187_6f6b, 0x6c0e_b522_d5b1_2278, 0x331e_c151_8317_7faf, 0x01ba_aa71_0b07_59ad,
]
/// p, little-endian limbs.
private let pLimbs: [UInt64] = [0x3c20_8c16_d87c_fd47, 0x9781_6a91_6871_ca8d, 0xb850_45b6_8181_585d, 0x3064_4e72_e131_a029]

private func decode(_ hex: String) -> AffinePoint<Fp> { BN254.decodeG1(precompileHex(hex)[...])!! }
private func decode2(_ hex: String) -> AffinePoint<Fp2> { BN254.decodeG2(precompileHex(hex)[...])!! }

@Suite("bn254 field tower and pairing internals")
struct PrecompileBN254AlgebraTests {
    let f = Pairing.millerLoop([(decode(BN254Points.g1), decode2(BN254Points.g2))])

    @Test("Fp encodes back to the bytes it was decoded from and inverts")
    func fpRoundTrip() {
        let bytes = precompileHex("2bd3e6d0f3b142924f5ca7b49ce5b9d54c4703d7ae5648e61d02268b1a0a9fb7")
        let x = Fp(bigEndian: bytes[...])!
        #expect(x.bigEndianBytes == bytes)
        #expect(x * x.inverse == .one)
        #expect((x - x).isZero && x + (-x) == .zero)
    }

    @Test("Fp12 inverse, and the Frobenius map agrees with raising to p")
    func towerIdentities() {
        #expect(f * f.inverse == .one)
        #expect(f.frobenius == power(f, limbs: pLimbs))
        #expect(f.frobenius.frobenius == f.frobeniusSquared)
        var g = f
        for _ in 0..<6 { g = g.frobenius }
        #expect(g == f.conjugate)
    }

    @Test("the fast hard part equals plain exponentiation by (p^4 - p^2 + 1) / r")
    func hardPartMatchesReference() {
        var easy = f.conjugate * f.inverse
        easy = easy.frobeniusSquared * easy
        #expect(Pairing.hardPart(easy) == power(easy, limbs: hardExponent))
    }

    @Test("cyclotomic squaring equals plain squaring after the easy part")
    func cyclotomicSquaring() {
        var easy = f.conjugate * f.inverse
        easy = easy.frobeniusSquared * easy
        #expect(easy.cyclotomicSquared == easy.squared)
        #expect(easy.cyclotomicPower(Pairing.u) == power(easy, limbs: [Pairing.u]))
    }

    @Test("e(G1, G2) is not one and has order r")
    func pairingHasOrderR() {
        let e = Pairing.finalExponentiation(f)
        #expect(e != .one)
        let r: [UInt64] = [0x43e1_f593_f000_0001, 0x2833_e848_79b9_7091, 0xb850_45b6_8181_585d, 0x3064_4e72_e131_a029]
        #expect(power(e, limbs: r) == .one)
    }
}

@Suite("bn254 G2 subgroup check")
struct PrecompileG2SubgroupTests {
    /// The twist's cofactor 2p - r, big-endian limbs (computed offline).
    static let cofactor: [UInt64] = [0x3064_4e72_e131_a029, 0xb850_45b6_8181_585e, 0x06ce_ecda_572a_2489, 0x345f_2299_c0f9_fa8d]

    static func twistPoint(_ hex: String) -> AffinePoint<Fp2> {
        let b = precompileHex(hex)
        let x = Fp2(Fp(bigEndian: b[32..<64])!, Fp(bigEndian: b[0..<32])!)
        let y = Fp2(Fp(bigEndian: b[96..<128])!, Fp(bigEndian: b[64..<96])!)
        return AffinePoint(x: x, y: y)
    }

    /// The group order r, big-endian limbs.
    static let groupOrder: [UInt64] = [0x3064_4e72_e131_a029, 0xb850_45b6_8181_585d, 0x2833_e848_79b9_7091, 0x43e1_f593_f000_0001]

    static func slowCheck(_ q: AffinePoint<Fp2>) -> Bool {
        JacobianPoint(q).multiplied(byLimbs: Self.groupOrder).isInfinity
    }

    @Test("the endomorphism check agrees with multiplying by r, inside and outside the subgroup")
    func agreesWithOrder() throws {
        let outside = Self.twistPoint(BN254Points.g2OutsideSubgroup)
        #expect(outside.isOnCurve)
        let cleared = try #require(JacobianPoint(outside).multiplied(byLimbs: Self.cofactor).affine)
        let tripledOutside = try #require(JacobianPoint(outside).multiplied(byLimbs: [3]).affine)
        let generator = Self.twistPoint(BN254Points.g2)
        for (point, inside) in [(outside, false), (tripledOutside, false), (cleared, true), (generator, true)] {
            #expect(Self.slowCheck(point) == inside)
            #expect(BN254.isInG2(point) == inside)
        }
    }
}
