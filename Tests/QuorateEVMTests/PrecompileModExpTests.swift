import Testing
@testable import QuorateEVM

private func word(_ n: UInt64) -> [UInt8] {
    [UInt8](repeating: 0, count: 24) + (0..<8).map { UInt8(truncatingIfNeeded: n >> (56 - 8 * UInt64($0))) }
}

private let hugeWord = [UInt8](repeating: 0xff, count: 32)

@Suite("modexp precompile: lengths, padding and EIP-2565 price")
struct PrecompileModExpTests {
    @Test("EIP-198 example: 3^(p-1) mod p is 1 for the secp256k1 field prime, 1360 gas under EIP-2565")
    func fermat() {
        let input = word(1) + word(32) + word(32) + [3]
            + precompileHex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e")
            + precompileHex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")
        #expect(runPrecompile(5, input) == .success(gasUsed: 1360, output: [UInt8](repeating: 0, count: 31) + [1]))
    }

    @Test("a huge base length with little gas fails on gas without allocating")
    func hugeBaseLength() {
        #expect(runPrecompile(5, hugeWord + word(1) + word(1) + [2, 3, 5], gas: 30_000_000) == .failure)
        #expect(runPrecompile(5, word(0) + word(1) + hugeWord + [2, 3, 5], gas: 30_000_000) == .failure)
        #expect(runPrecompile(5, word(1) + word(1) + word(1 << 40), gas: 30_000_000) == .failure)
    }

    @Test("a huge exponent length with little gas fails on gas without allocating")
    func hugeExponentLength() {
        #expect(runPrecompile(5, word(1) + hugeWord + word(1) + [2, 3, 5], gas: 30_000_000) == .failure)
        #expect(runPrecompile(5, word(1) + word(1 << 40) + word(1) + [2, 3, 5], gas: 30_000_000) == .failure)
    }

    @Test("empty base and modulus cost the minimum 200 gas whatever the exponent length")
    func emptyBaseAndModulus() {
        #expect(runPrecompile(5, word(0) + hugeWord + word(0)) == .success(gasUsed: 200, output: []))
        #expect(runPrecompile(5, []) == .success(gasUsed: 200, output: []))
        #expect(runPrecompile(5, [], gas: 199) == .failure)
    }

    @Test("a zero modulus gives zeros of the modulus's length")
    func zeroModulus() {
        #expect(runPrecompile(5, word(1) + word(1) + word(3) + [2, 3, 0, 0, 0]) == .success(gasUsed: 200, output: [0, 0, 0]))
    }

    @Test("reads past the input are zeros: a missing modulus is zero, a missing exponent is zero")
    func zeroPaddedReads() {
        // 2^(missing = 0) mod (missing = 0): zero modulus, so zeros.
        #expect(runPrecompile(5, word(1) + word(1) + word(2) + [2]) == .success(gasUsed: 200, output: [0, 0]))
        // 7^3 = 0x157 mod 0x0100 (the modulus 01 is followed by a missing byte, read as zero).
        #expect(runPrecompile(5, word(1) + word(1) + word(2) + [7, 3, 1]) == .success(gasUsed: 200, output: [0x00, 0x57]))
    }

    @Test("output has the modulus's length and 0^0 is 1")
    func outputLength() {
        #expect(runPrecompile(5, word(1) + word(1) + word(4) + [0, 0, 0, 0, 0, 9]) == .success(gasUsed: 200, output: [0, 0, 0, 1]))
        #expect(runPrecompile(5, word(1) + word(1) + word(1) + [5, 2, 1]) == .success(gasUsed: 200, output: [0]))
    }

    @Test("EIP-2565 iteration count: 8 per exponent byte beyond 32 plus the head's bit length minus one")
    func iterationCount() {
        #expect(Precompiles.modexpIterations(expLength: 0, expHead: []) == 1)
        #expect(Precompiles.modexpIterations(expLength: 1, expHead: [0x80]) == 7)
        #expect(Precompiles.modexpIterations(expLength: 33, expHead: [UInt8](repeating: 0, count: 32)) == 8)
        #expect(Precompiles.modexpIterations(expLength: 40, expHead: [1] + [UInt8](repeating: 0, count: 31)) == 64 + 248)
        // words = ceil(65 / 8) = 9, so complexity 81; iterations 8 * (64 - 32) + 255 = 511.
        #expect(Precompiles.modexpGas(baseLength: 65, expLength: 64, modLength: 1, expHead: [UInt8](repeating: 0xff, count: 32)) == 81 * 511 / 3)
    }
}
