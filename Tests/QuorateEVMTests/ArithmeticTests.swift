import QuorateCore
import Testing
@testable import QuorateEVM

@Suite("EVM word arithmetic")
struct ArithmeticTests {
    static let divisions: [(String, String, String, String)] = [
        ("0xa6a3a4506513270e269e0d37f2a74de4", "0x81e74ef5e8e25d940ed904759531985d5d9dc9f81818e811892f902bd23f0825", "0x0", "0xa6a3a4506513270e269e0d37f2a74de4"),
        ("0x173d9c172411e20b8f6b0d549b6f03675a1600a35a099950d8", "0x10f21ddb66cad4a27", "0x15f18da5fd7e0fae5c80dbaa1b15939ad2", "0x8d4cafa0dd7206da"),
        ("0x93bd04cf0fd630f1f29d0da9953f48f1a09f76b5a170b33839263059f28c105d", "0x10cb1e29c658cda15", "0x8cc21ca8040edee0e6aba53fa31bab1404b7ccea6d8d53fa", "0x760a34110db948db"),
        ("0x506bf2efc6f877186d76b07e881ed162ae2eb1547f15052434b9b5df9e7769b1", "0x1dec66a78795e761d1", "0x2b00550b95062b659afe450d455a0570716dcbb03371a27", "0x1ab8257077d16148da"),
        ("0xf3ab48767734d7c1c7fde805ec99108ddb5b5fab8f4d3e27dda1494c73cf256d", "0x3e72e7a830c71c2cdcc69292f45e678309d6b79965eda32dae445508201e2bd", "0x3e", "0x1ae06caba314a93f07c700c79ab3f72153b5839245465d6da587fccf75a3ba7"),
        ("0xa44caf9c4dabb4817253edc6181879932fa91425cb0088539d2c67eda13ffe79", "0x1a26b7f62b1852f27e3eff9c0cf44dd3f89e7d15f17362f25", "0x6485cd9323117be6", "0x140b7e1d9e7099a3e3952bf5f5d82c734c3b9f60d8d75dc3b"),
        ("0x9d95847ebd299753a767779673f778aaf6fa5db8656abd72fb710734986e86cb", "0x103d716849f8558a628518867a66b0d38", "0x9b414f101b1aed7f1dd24fe9e35ce42d", "0x2f9d868bfe59354aa95bb19b97b753f3"),
        ("0x4cc049123deffa38e12b2b8f30b17d0b09208a650f3ebdd3102b938b8743feb6", "0xd387f61376c468aec7321cc007b37e14", "0x5ce2d351051f72d6c669c0f1a7bb584e", "0x3cca89ac6cbc3254d2fc663356a0b49e"),
        ("0xcb4d8474a3ea284d3bd0334684e55160320094ead7a94ded97491e2370c6a5b8", "0x1012d0ea67ff12229", "0xca5f868e95d2eff2e992845e01e9d4dac800f1f7521e6cc3", "0x2879ed941ee2547d"),
        ("0xff6665896822a6b24735af1ca7a114907513923715c1d2df", "0x2d7185ddaee82ec3ffee5a5b28d1fe1da", "0x59ec3931c40cfd19", "0x153ed71af27b15645081e232b4d385295"),
        ("0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "0xffffffffffffffff00000000000000000000000000000005", "0x10000000000000001", "0xfffffffffffffffafffffffffffffffa"),
        ("0x8000000000000000800000000000000000000000000000000000000000000000", "0x80000000000000007fffffffffffffffffffffffffffffff", "0x10000000000000000", "0x10000000000000000"),
    ]

    @Test("DIV and MOD match Python's big integers for one- to four-limb divisors")
    func divisionMatchesReference() {
        for (a, b, q, r) in Self.divisions {
            let (gq, gr) = UInt256.evmDivMod(hexWord(a), hexWord(b))
            #expect(gq == hexWord(q), "\(a) / \(b)")
            #expect(gr == hexWord(r), "\(a) % \(b)")
        }
    }

    @Test("division and modulo by zero give zero")
    func divisionByZero() {
        #expect(UInt256.evmDivMod(5, 0) == (0, 0))
        #expect(UInt256.evmSDiv(5, 0) == 0)
        #expect(UInt256.evmSMod(5, 0) == 0)
        #expect(UInt256.evmAddMod(5, 6, 0) == 0)
        #expect(UInt256.evmMulMod(5, 6, 0) == 0)
    }

    @Test("SDIV of -2^255 by -1 overflows to -2^255")
    func sdivOverflow() {
        let minInt = UInt256(1) << 255
        #expect(UInt256.evmSDiv(minInt, .max) == minInt)
    }

    @Test("SDIV and SMOD truncate toward zero and take the dividend's sign")
    func signedDivision() {
        let minus7 = UInt256(7).negated
        #expect(UInt256.evmSDiv(minus7, 2) == UInt256(3).negated)
        #expect(UInt256.evmSMod(minus7, 2) == UInt256.max)
        #expect(UInt256.evmSMod(7, UInt256(2).negated) == 1)
    }

    @Test("ADDMOD and MULMOD use the full 257- and 512-bit intermediate")
    func modularArithmetic() {
        #expect(UInt256.evmAddMod(.max, .max, 7) == 2)
        #expect(UInt256.evmAddMod(.max, UInt256.max - 2, UInt256.max - 1) == 0)
        #expect(UInt256.evmMulMod(.max, .max, UInt256.max - 1) == 1)
        let m = (UInt256(1) << 200) + 12345
        #expect(UInt256.evmMulMod(.max, UInt256.max - 4, m) == hexWord("0x9156cb10000000001215600000000000005"))
        #expect(UInt256.evmAddMod(.max, UInt256.max - 1, m) == hexWord("0xffffffffffffffffffffffffffffffff9f8e00000000003036"))
    }

    @Test("EXP wraps modulo 2^256")
    func exponentiation() {
        #expect(UInt256.evmExp(2, 255) == UInt256(1) << 255)
        #expect(UInt256.evmExp(2, 256) == 0)
        #expect(UInt256.evmExp(0, 0) == 1)
        #expect(UInt256.evmExp(3, 1000) == hexWord("0xce065bd2a048f32939dc42ec08348318c4940c56f7867dbe5616937bd3b85b21"))
        #expect(UInt256.evmExp(7, .max) == hexWord("0x6db6db6db6db6db6db6db6db6db6db6db6db6db6db6db6db6db6db6db6db6db7"))
    }

    @Test("SIGNEXTEND extends the chosen byte's top bit and ignores positions past 30")
    func signExtend() {
        #expect(UInt256.evmSignExtend(0, 0xff) == .max)
        #expect(UInt256.evmSignExtend(0, 0x7f) == 0x7f)
        #expect(UInt256.evmSignExtend(1, 0x12_80ff) == 0x80ff + (UInt256.max - 0xffff))
        #expect(UInt256.evmSignExtend(31, 0xff) == 0xff)
        #expect(UInt256.evmSignExtend(.max, 0x80) == 0x80)
        #expect(UInt256.evmSignExtend(30, UInt256(0x80) << 240) == UInt256.max - ((UInt256(1) << 247) - 1))
    }

    @Test("SHL, SHR and SAR shift by up to 255 and saturate beyond")
    func shifts() {
        let minInt = UInt256(1) << 255
        #expect(UInt256.evmShl(1, 1) == 2)
        #expect(UInt256.evmShl(256, 1) == 0)
        #expect(UInt256.evmShl(255, 3) == minInt)
        #expect(UInt256.evmShr(255, minInt) == 1)
        #expect(UInt256.evmShr(256, .max) == 0)
        #expect(UInt256.evmSar(1, minInt) == UInt256(3) << 254)
        #expect(UInt256.evmSar(255, minInt) == .max)
        #expect(UInt256.evmSar(256, minInt) == .max)
        #expect(UInt256.evmSar(.max, 5) == 0)
        #expect(UInt256.evmSar(65, UInt256(1) << 100) == UInt256(1) << 35)
    }

    @Test("BYTE counts from the most significant byte")
    func byteOpcode() {
        let x = hexWord("0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20")
        #expect(UInt256.evmByte(0, x) == 1)
        #expect(UInt256.evmByte(31, x) == 0x20)
        #expect(UInt256.evmByte(13, x) == 0x0e)
        #expect(UInt256.evmByte(32, x) == 0)
    }

    @Test("signed comparison orders negatives below positives")
    func signedComparison() {
        #expect(UInt256.signedLess(.max, 0))
        #expect(!UInt256.signedLess(0, .max))
        #expect(UInt256.signedLess(UInt256(1) << 255, .max))
    }

    @Test("wrapping multiplication keeps the low 256 bits")
    func wrappingMultiplication() {
        #expect(UInt256.wrappingMul(.max, .max) == 1)
        let a = hexWord("0x93bd04cf0fd630f1f29d0da9953f48f1a09f76b5a170b33839263059f28c105d")
        #expect(UInt256.wrappingMul(a, 1) == a)
        #expect(UInt256.wrappingMul(UInt256(1) << 128, UInt256(1) << 127) == UInt256(1) << 255)
        #expect(UInt256.wrappingMul(UInt256(1) << 128, UInt256(1) << 128) == 0)
    }

    @Test("arithmetic through bytecode: 10 - 3 * 2 via the stack returns 4")
    func bytecodeArithmetic() {
        let code = returning { a in
            a.push(2); a.push(3); a.op(0x02)  // 6
            a.push(10); a.op(0x03)           // 10 - 6
        }
        let (o, _) = run(code)
        #expect(o.status == .success)
        #expect(word(o.output) == 4)
    }
}
