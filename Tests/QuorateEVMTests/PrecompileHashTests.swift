import Testing
@testable import QuorateEVM

private let hash = "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c"
private let r = "73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75f"
/// High s (above n/2), signed with v = 28; its low twin n - s goes with v = 27.
private let highS = "eeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549"
private let lowS = "1146bf4e2fc4de1c94f1b81868960f68bc842490f1b6bc98387ba6b57599fbf8"
private let order = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"
private let signer = precompileHex("000000000000000000000000a94f5374fce5edbc8e2a8697c15331677e6ebf0b")

/// A 32-byte word holding n, as hex.
private func v(_ n: Int) -> String {
    let digits = String(n, radix: 16)
    return String(repeating: "0", count: 64 - digits.count) + digits
}

@Suite("ecrecover, sha256 and ripemd160 precompiles")
struct PrecompileHashTests {
    @Test("ecrecover accepts high s (unlike transactions) and its low-s twin gives the same signer")
    func highAndLowS() {
        #expect(runPrecompile(1, precompileHex(hash + v(28) + r + highS)) == .success(gasUsed: 3000, output: signer))
        #expect(runPrecompile(1, precompileHex(hash + v(27) + r + lowS)) == .success(gasUsed: 3000, output: signer))
    }

    @Test("ecrecover answers invalid signatures with empty output and still charges 3000", arguments: [
        hash + v(29) + r + highS,              // v neither 27 nor 28
        hash + v(0) + r + highS,               // v as a recovery id is not accepted
        hash + v(1) + r + highS,
        hash + v(28) + v(0) + highS,           // r = 0
        hash + v(28) + r + v(0),               // s = 0
        hash + v(28) + order + highS,          // r = n
        hash + v(28) + r + order,              // s = n
    ])
    func invalidSignatures(_ input: String) {
        #expect(runPrecompile(1, precompileHex(input)) == .success(gasUsed: 3000, output: []))
    }

    @Test("ecrecover pads short input with zeros (s missing is zero: empty output) and ignores extra bytes")
    func ecrecoverPadding() {
        #expect(runPrecompile(1, precompileHex(hash + v(28) + r)) == .success(gasUsed: 3000, output: []))
        #expect(runPrecompile(1, precompileHex(hash + v(28) + r + highS + "ff")) == .success(gasUsed: 3000, output: signer))
        #expect(runPrecompile(1, precompileHex(hash + v(28) + r + highS), gas: 2999) == .failure)
    }

    @Test("sha256 costs 60 + 12 per word and hashes the input")
    func sha256() {
        #expect(runPrecompile(2, []) == .success(
            gasUsed: 60, output: precompileHex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")))
        #expect(runPrecompile(2, Array("abc".utf8)) == .success(
            gasUsed: 72, output: precompileHex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")))
        #expect(runPrecompile(2, [UInt8](repeating: 0x61, count: 33), gas: 83) == .failure)
        guard case .success(let gas, _) = runPrecompile(2, [UInt8](repeating: 0x61, count: 33)) else {
            Issue.record("sha256 of 33 bytes failed"); return
        }
        #expect(gas == 84)
    }

    @Test("ripemd160 costs 600 + 120 per word and left-pads its 20-byte digest to 32 bytes")
    func ripemd160() {
        let padding = [UInt8](repeating: 0, count: 12)
        #expect(runPrecompile(3, []) == .success(
            gasUsed: 600, output: padding + precompileHex("9c1185a5c5e9fc54612808977ee8f548b2258d31")))
        #expect(runPrecompile(3, Array("abc".utf8)) == .success(
            gasUsed: 720, output: padding + precompileHex("8eb208f7e05d987a9b044a8e98c6b087f15a0bfc")))
        #expect(runPrecompile(3, Array("abc".utf8), gas: 719) == .failure)
    }

    @Test("0x0a is not a precompile: calling it is calling an empty account")
    func kzgAbsent() {
        #expect(!Precompiles.contains(precompileAddress(10)))
        #expect(!Precompiles.contains(precompileAddress(0)))
        #expect(Precompiles.addresses.count == 9)
        #expect((1...9).allSatisfy { Precompiles.contains(precompileAddress(UInt8($0))) })
    }
}

@Suite("blake2f precompile")
struct PrecompileBlake2FTests {
    /// EIP-152 test vector 5 (12 rounds, final block of "abc").
    static let vector5 = PrecompileFixture.vectors("blake2F.json").first { $0.Name == "vector 5" }!.input

    @Test("blake2f charges one gas per round and fails one gas short")
    func gasPerRound() {
        guard case .success(let gas, let output) = runPrecompile(9, Self.vector5) else {
            Issue.record("blake2f vector 5 failed"); return
        }
        #expect(gas == 12 && output.count == 64)
        #expect(runPrecompile(9, Self.vector5, gas: 11) == .failure)
    }

    @Test("blake2f refuses a final flag other than 0 or 1 and lengths other than 213", arguments: [2, 0xff])
    func badFlag(_ flag: Int) {
        var input = Self.vector5
        input[212] = UInt8(flag)
        #expect(runPrecompile(9, input) == .failure)
        #expect(runPrecompile(9, Array(Self.vector5.dropLast())) == .failure)
        #expect(runPrecompile(9, Self.vector5 + [0]) == .failure)
    }

    @Test("blake2f with 2^32-1 rounds and a block's gas fails on gas before computing")
    func hugeRounds() {
        var input = Self.vector5
        input[0] = 0xff; input[1] = 0xff; input[2] = 0xff; input[3] = 0xff
        #expect(runPrecompile(9, input, gas: 30_000_000) == .failure)
    }
}
