import QuorateCore
import QuorateTestSupport
import Testing

@Suite("UInt256")
struct UInt256Tests {
    static let maxDecimal = "115792089237316195423570985008687907853269984665640564039457584007913129639935"
    static let twoTo64 = UInt256(UInt64.max) + 1

    @Test("adding one to max overflows and wraps to zero in the reported partial value")
    func addOverflow() {
        let (v, o) = UInt256.max.addingReportingOverflow(1)
        #expect(o)
        #expect(v == .zero)
        let (w, p) = (UInt256.max - 1).addingReportingOverflow(1)
        #expect(!p)
        #expect(w == .max)
    }

    @Test("carries propagate across every limb")
    func carryAcrossLimbs() {
        let v = UInt256(UInt64.max) + 1
        #expect(v.minimalBigEndianBytes == [1, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(v.uint64 == nil)
        #expect((v - 1).uint64 == UInt64.max)
        let low192 = UInt256(bigEndian: [UInt8](repeating: 0xff, count: 24))!
        #expect((low192 + 1).minimalBigEndianBytes == [1] + [UInt8](repeating: 0, count: 24))
    }

    @Test("subtracting below zero reports underflow and wraps to max")
    func subtractUnderflow() {
        let (v, o) = UInt256.zero.subtractingReportingOverflow(1)
        #expect(o)
        #expect(v == .max)
        #expect(UInt256.max - UInt256.max == .zero)
    }

    @Test("multiplication overflow is reported exactly at 2^256")
    func multiplyOverflow() {
        let twoTo128 = UInt256(bigEndian: [1] + [UInt8](repeating: 0, count: 16))!
        let (a, o1) = twoTo128.multipliedReportingOverflow(by: twoTo128)
        #expect(o1)
        #expect(a == .zero)
        let (b, o2) = twoTo128.multipliedReportingOverflow(by: twoTo128 - 1)
        #expect(!o2)
        #expect(b == UInt256.max - (twoTo128 - 1))
        let (c, o3) = UInt256.max.multipliedReportingOverflow(by: .max)
        #expect(o3)
        #expect(c == 1)  // (2^256-1)^2 mod 2^256
        #expect(UInt256.max.multipliedReportingOverflow(by: 1) == (UInt256.max, false))
        #expect(UInt256.max.multipliedReportingOverflow(by: 0) == (UInt256.zero, false))
        // A carry out of the top limb alone (no limb pair beyond it) must still count.
        let top = UInt256(bigEndian: [0x80] + [UInt8](repeating: 0, count: 31))!
        #expect(top.multipliedReportingOverflow(by: 2).overflow)
    }

    @Test("division by small and large divisors, with remainders")
    func division() {
        #expect(UInt256.max / 1 == .max)
        #expect(UInt256.max % 10 == 5)
        #expect((UInt256.max / 10).description == "11579208923731619542357098500868790785326998466564056403945758400791312963993")
        #expect(UInt256.max / .max == 1)
        #expect(UInt256(7) / UInt256.max == 0)
        let twoTo100 = UInt256(1).shiftedForTest(100)
        let (q, r) = (UInt256(1).shiftedForTest(200) + 5).quotientAndRemainder(dividingBy: twoTo100)
        #expect(q == twoTo100)
        #expect(r == 5)
        let a = UInt256(decimal: "369988485035126972924700782451696644186473100389722973815184405301748249")!
        let d = UInt256(decimal: "508021860739623365322188197652216501772434524836001")!
        let (q2, r2) = a.quotientAndRemainder(dividingBy: d)
        #expect(q2.description == "728292448865221785842")
        #expect(r2.description == "293276152322389404764388084027249128114917908050407")
    }

    @Test("arithmetic identities hold for seeded random operands")
    func randomIdentities() {
        var g = SeededGenerator(seed: 20261124)
        for _ in 0..<2000 {
            let a = random(&g), b = random(&g)
            let (s, o) = a.addingReportingOverflow(b)
            #expect(s.subtractingReportingOverflow(b).partialValue == a)
            #expect(o == (s < a))
            if !b.isZero {
                let (q, r) = a.quotientAndRemainder(dividingBy: b)
                #expect(r < b)
                let (qb, o1) = q.multipliedReportingOverflow(by: b)
                #expect(!o1)
                #expect(qb + r == a)
            }
            let (p, o2) = a.multipliedReportingOverflow(by: b)
            if !o2 && !b.isZero { #expect(p / b == a) }
            #expect(UInt256(decimal: a.description) == a)
            #expect(UInt256(hexQuantity: a.hexQuantity) == a)
            #expect(UInt256(bigEndian: a.bigEndianBytes) == a)
            #expect(UInt256(bigEndian: a.minimalBigEndianBytes) == a)
        }
    }

    /// Operands of random bit length, so small, one-limb and full-width values all occur.
    private func random(_ g: inout SeededGenerator) -> UInt256 {
        let bytes = Int(g.next() % 33)
        return UInt256(bigEndian: (0..<bytes).map { _ in UInt8(truncatingIfNeeded: g.next()) })!
    }

    @Test("decimal parsing accepts digits only and refuses values above 2^256-1")
    func decimalParsing() {
        #expect(UInt256(decimal: "0") == .zero)
        #expect(UInt256(decimal: "00012") == 12)
        #expect(UInt256(decimal: "18446744073709551616") == Self.twoTo64)
        #expect(UInt256(decimal: Self.maxDecimal) == .max)
        #expect(UInt256(decimal: "115792089237316195423570985008687907853269984665640564039457584007913129639936") == nil)
        #expect(UInt256(decimal: "1" + String(repeating: "0", count: 80)) == nil)
        for bad in ["", "-1", "+1", " 1", "1 ", "1_000", "0x10", "1e3", "١"] {
            #expect(UInt256(decimal: bad) == nil, "\(bad)")
        }
    }

    @Test("decimal printing of zero, limb boundaries and max")
    func decimalPrinting() {
        #expect(UInt256.zero.description == "0")
        #expect(UInt256(UInt64.max).description == "18446744073709551615")
        #expect(Self.twoTo64.description == "18446744073709551616")
        // A middle 19-digit chunk that needs zero padding.
        #expect(UInt256(decimal: "1000000000000000000000000000000000000001")!.description
            == "1000000000000000000000000000000000000001")
        #expect(UInt256.max.description == Self.maxDecimal)
    }

    @Test("hex quantities: 0x0 and canonical output; 0x alone, missing prefix and non-hex refused")
    func hexQuantities() {
        #expect(UInt256(hexQuantity: "0x0") == .zero)
        #expect(UInt256(hexQuantity: "0x1a") == 26)
        #expect(UInt256(hexQuantity: "0X1A") == 26)
        #expect(UInt256(hexQuantity: "0x001a") == 26)  // lenient on input, canonical on output
        #expect(UInt256(hexQuantity: "0x" + String(repeating: "f", count: 64)) == .max)
        #expect(UInt256(hexQuantity: "0x0" + String(repeating: "f", count: 64)) == .max)
        #expect(UInt256(hexQuantity: "0x1" + String(repeating: "0", count: 64)) == nil)
        for bad in ["0x", "", "1a", "x1", "0x1g", "0x 1", "-0x1", "0x-1", "0xé"] {
            #expect(UInt256(hexQuantity: bad) == nil, "\(bad)")
        }
        #expect(UInt256.zero.hexQuantity == "0x0")
        #expect(UInt256(26).hexQuantity == "0x1a")
        #expect(Self.twoTo64.hexQuantity == "0x10000000000000000")
        #expect(UInt256.max.hexQuantity == "0x" + String(repeating: "f", count: 64))
    }

    @Test("big-endian bytes: 32 exactly, minimal form empty for zero, at most 32 bytes in")
    func bytes() {
        #expect(UInt256.zero.bigEndianBytes == [UInt8](repeating: 0, count: 32))
        #expect(UInt256.zero.minimalBigEndianBytes == [])
        #expect(UInt256(0x0102).minimalBigEndianBytes == [1, 2])
        #expect(UInt256(0x0102).bigEndianBytes.suffix(2) == [1, 2])
        #expect(UInt256(bigEndian: []) == .zero)
        #expect(UInt256(bigEndian: [0, 0, 1]) == 1)
        #expect(UInt256(bigEndian: [UInt8](repeating: 0, count: 33)) == nil)
        #expect(UInt256(bigEndian: [UInt8](repeating: 0xff, count: 32)) == .max)
    }

    @Test("ordering compares the most significant limb first")
    func ordering() {
        let high = UInt256(bigEndian: [1] + [UInt8](repeating: 0, count: 31))!
        #expect(UInt256(UInt64.max) < high)
        #expect(high < .max)
        #expect(!(high < high))
        #expect([UInt256.max, 0, high, 5].sorted() == [0, 5, high, .max])
    }
}

extension UInt256 {
    /// 1 << n built from bytes, so the tests do not lean on the shift under test.
    func shiftedForTest(_ n: Int) -> UInt256 {
        precondition(self == 1 && n < 256)
        var b = [UInt8](repeating: 0, count: 32)
        b[31 - n / 8] = 1 << UInt8(n % 8)
        return UInt256(bigEndian: b)!
    }
}
