import Testing
@testable import QuorateEVM

/// Points computed independently (Python big-integer arithmetic); hex, 32 bytes per coordinate,
/// G2 written as x.im, x.re, y.im, y.re as EIP-197 encodes it.
enum BN254Points {
    static let g1 = word(1) + word(2)
    static let g1Negated = word(1) + "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd45"
    static let g1Doubled = "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3"
        + "15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4"
    static let g1Tripled = "0769bf9ac56bea3ff40232bcb1b6bd159315d84715b8e679f2d355961915abf0"
        + "2ab799bee0489429554fdb7c8d086475319e63b40b9c5b57cdf1ff3dd9fe2261"
    static let infinity1 = word(0) + word(0)
    static let g2 = "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
        + "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
        + "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
        + "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"
    static let g2Doubled = "203e205db4f19b37b60121b83a7333706db86431c6d835849957ed8c3928ad79"
        + "27dc7234fd11d3e8c36c59277c3e6f149d5cd3cfa9a62aee49f8130962b4b3b9"
        + "195e8aa5b7827463722b8c153931579d3505566b4edf48d498e185f0509de152"
        + "04bb53b8977e5f92a0bc372742c4830944a59b4fe6b1c0466e2a6dad122b5d2e"
    /// On the twist, but outside the order-r subgroup.
    static let g2OutsideSubgroup = word(0) + word(1)
        + "0d1271953ed9ea0836846e70a1934187998c7f790cb4d7511b7f8da82de048a4"
        + "2869111d5381f072f8e2728fdb825a51aadd70e52c9830e9ab4b871c0531f1bb"
    /// The generator with y.re one higher: not on the twist.
    static let g2OffCurve = String(g2.dropLast()) + "b"
    static let infinity2 = String(repeating: "0", count: 256)
    static let p = "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47"
    static let pPlus1 = "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd48"

    /// A 32-byte word holding a single digit.
    static func word(_ n: Int) -> String {
        precondition((0...9).contains(n))
        return String(repeating: "0", count: 63) + String(n)
    }
}

private let P = BN254Points.self
private let one = [UInt8](repeating: 0, count: 31) + [1]
private let zero = [UInt8](repeating: 0, count: 32)

@Suite("bn254 precompiles on crafted inputs")
struct PrecompileBN254Tests {
    @Test("adding a point to itself equals doubling; adding its negation gives infinity")
    func addDoublesAndCancels() {
        #expect(runPrecompile(6, precompileHex(P.g1 + P.g1)) == .success(gasUsed: 150, output: precompileHex(P.g1Doubled)))
        #expect(runPrecompile(6, precompileHex(P.g1 + P.g1Negated)) == .success(gasUsed: 150, output: zero + zero))
        #expect(runPrecompile(6, precompileHex(P.g1Doubled + P.g1)) == .success(gasUsed: 150, output: precompileHex(P.g1Tripled)))
    }

    @Test("short add input is zero-padded: one point plus missing (infinity) is that point")
    func addPadsShortInput() {
        #expect(runPrecompile(6, precompileHex(P.g1)) == .success(gasUsed: 150, output: precompileHex(P.g1)))
        #expect(runPrecompile(6, []) == .success(gasUsed: 150, output: zero + zero))
    }

    @Test("add refuses a point off the curve or a coordinate not below p", arguments: [
        BN254Points.word(1) + BN254Points.word(3) + BN254Points.g1,
        BN254Points.g1 + BN254Points.pPlus1 + BN254Points.word(2),
        BN254Points.g1 + BN254Points.word(0) + BN254Points.p,
    ])
    func addRefusesInvalidPoints(_ input: String) {
        #expect(runPrecompile(6, precompileHex(input)) == .failure)
    }

    @Test("scalar multiplication by 2, 3, 0 and the group order")
    func multiplication() {
        let r = "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001"
        let rPlus2 = "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000003"
        #expect(runPrecompile(7, precompileHex(P.g1 + P.word(2))) == .success(gasUsed: 6000, output: precompileHex(P.g1Doubled)))
        #expect(runPrecompile(7, precompileHex(P.g1 + P.word(3))) == .success(gasUsed: 6000, output: precompileHex(P.g1Tripled)))
        #expect(runPrecompile(7, precompileHex(P.g1 + P.word(0))) == .success(gasUsed: 6000, output: zero + zero))
        #expect(runPrecompile(7, precompileHex(P.g1 + r)) == .success(gasUsed: 6000, output: zero + zero))
        #expect(runPrecompile(7, precompileHex(P.g1 + rPlus2)) == .success(gasUsed: 6000, output: precompileHex(P.g1Doubled)))
        #expect(runPrecompile(7, precompileHex(P.infinity1 + P.word(5))) == .success(gasUsed: 6000, output: zero + zero))
    }

    @Test("multiplication refuses a point off the curve and charges 6000 gas")
    func multiplicationFailures() {
        #expect(runPrecompile(7, precompileHex(P.word(1) + P.word(3) + P.word(1))) == .failure)
        #expect(runPrecompile(7, precompileHex(P.g1 + P.word(2)), gas: 5999) == .failure)
    }

    @Test("e(P, Q) * e(-P, Q) is one; e(2P, Q) * e(-P, 2Q) is one (bilinearity)")
    func pairingIdentities() {
        #expect(runPrecompile(8, precompileHex(P.g1 + P.g2 + P.g1Negated + P.g2)) == .success(gasUsed: 113_000, output: one))
        #expect(runPrecompile(8, precompileHex(P.g1Doubled + P.g2 + P.g1Negated + P.g2Doubled)) == .success(gasUsed: 113_000, output: one))
    }

    @Test("a product of pairings that is not one returns zero")
    func pairingMismatch() {
        #expect(runPrecompile(8, precompileHex(P.g1 + P.g2)) == .success(gasUsed: 79_000, output: zero))
        #expect(runPrecompile(8, precompileHex(P.g1 + P.g2Doubled + P.g1Negated + P.g2)) == .success(gasUsed: 113_000, output: zero))
    }

    @Test("empty pairing input and pairs with a point at infinity are one")
    func pairingInfinity() {
        #expect(runPrecompile(8, []) == .success(gasUsed: 45_000, output: one))
        #expect(runPrecompile(8, precompileHex(P.infinity1 + P.g2)) == .success(gasUsed: 79_000, output: one))
        #expect(runPrecompile(8, precompileHex(P.g1 + P.infinity2)) == .success(gasUsed: 79_000, output: one))
    }

    @Test("pairing refuses a G2 point outside the subgroup, even beside G1 infinity")
    func pairingSubgroupCheck() {
        #expect(runPrecompile(8, precompileHex(P.g1 + P.g2OutsideSubgroup)) == .failure)
        #expect(runPrecompile(8, precompileHex(P.infinity1 + P.g2OutsideSubgroup)) == .failure)
    }

    @Test("pairing refuses points off their curves and coordinates not below p", arguments: [
        BN254Points.g1 + BN254Points.g2OffCurve,
        BN254Points.word(1) + BN254Points.word(3) + BN254Points.g2,
        BN254Points.g1 + BN254Points.p + String(BN254Points.g2.dropFirst(64)),
        BN254Points.g1 + String(BN254Points.g2.dropLast(64)) + BN254Points.pPlus1,
    ])
    func pairingRefusesInvalidPoints(_ input: String) {
        #expect(runPrecompile(8, precompileHex(input)) == .failure)
    }

    @Test("pairing input must be a multiple of 192 bytes", arguments: [1, 191, 193, 383])
    func pairingLength(_ length: Int) {
        let input = precompileHex(P.g1 + P.g2 + P.g1Negated + P.g2)
        #expect(runPrecompile(8, Array(input.prefix(length))) == .failure)
    }

    @Test("pairing charges 45000 + 34000 per pair and fails one gas short")
    func pairingGas() {
        let input = precompileHex(P.g1 + P.g2 + P.g1Negated + P.g2)
        #expect(runPrecompile(8, input, gas: 112_999) == .failure)
        #expect(runPrecompile(8, [], gas: 44_999) == .failure)
    }
}
