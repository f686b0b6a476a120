import Testing
@testable import QuorateEVM

/// go-ethereum's published input / expected output / gas vectors, one test case each.
@Suite("precompile vectors from go-ethereum's testdata")
struct PrecompileVectorTests {
    static func check(_ n: UInt8, _ vector: PrecompileVector) {
        let gas = try! #require(vector.Gas)
        #expect(runPrecompile(n, vector.input, gas: gas) == .success(gasUsed: gas, output: vector.expected))
        if gas > 0 {
            #expect(runPrecompile(n, vector.input, gas: gas - 1) == .failure, "one gas short must fail")
        }
    }

    @Test("ecrecover returns the signer's address or empty output", arguments: PrecompileFixture.vectors("ecRecover.json"))
    func ecrecover(_ vector: PrecompileVector) { Self.check(1, vector) }

    @Test("modexp results and EIP-2565 prices", arguments: PrecompileFixture.vectors("modexp_eip2565.json"))
    func modexp(_ vector: PrecompileVector) { Self.check(5, vector) }

    @Test("bn254 addition results", arguments: PrecompileFixture.vectors("bn256Add.json"))
    func bn254Add(_ vector: PrecompileVector) { Self.check(6, vector) }

    @Test("bn254 scalar multiplication results", arguments: PrecompileFixture.vectors("bn256ScalarMul.json"))
    func bn254Mul(_ vector: PrecompileVector) { Self.check(7, vector) }

    @Test("bn254 pairing checks", arguments: PrecompileFixture.vectors("bn256Pairing.json"))
    func bn254Pairing(_ vector: PrecompileVector) { Self.check(8, vector) }

    @Test("blake2f compression results (EIP-152 vectors)", arguments: PrecompileFixture.vectors("blake2F.json"))
    func blake2f(_ vector: PrecompileVector) { Self.check(9, vector) }

    @Test("blake2f refuses malformed input", arguments: PrecompileFixture.vectors("fail-blake2f.json"))
    func blake2fFailures(_ vector: PrecompileVector) {
        #expect(runPrecompile(9, vector.input) == .failure)
    }
}

/// Vectors whose expected results come from independent Python big-integer arithmetic
/// (Tests/Fixtures/evm-precompiles/generate-differential.py): random points, scalars around r,
/// cofactor-cleared G2 points, and modexp lengths with truncated input.
@Suite("precompile vectors computed by an independent Python model")
struct PrecompileDifferentialTests {
    @Test("bn254 addition of random points, doubles and negations", arguments: PrecompileFixture.vectors("differential-bn256Add.json"))
    func bn254Add(_ vector: PrecompileVector) { PrecompileVectorTests.check(6, vector) }

    @Test("bn254 multiplication by random scalars and r - 1, r, r + 1", arguments: PrecompileFixture.vectors("differential-bn256ScalarMul.json"))
    func bn254Mul(_ vector: PrecompileVector) { PrecompileVectorTests.check(7, vector) }

    @Test("pairing bilinearity with random scalars and cofactor-cleared G2 points", arguments: PrecompileFixture.vectors("differential-bn256Pairing.json"))
    func bn254Pairing(_ vector: PrecompileVector) { PrecompileVectorTests.check(8, vector) }

    @Test("pairing refuses random twist points outside the subgroup", arguments: PrecompileFixture.vectors("differential-fail-bn256Pairing.json"))
    func bn254PairingFailures(_ vector: PrecompileVector) {
        #expect(runPrecompile(8, vector.input) == .failure)
    }

    @Test("modexp with random lengths, truncated and zero inputs", arguments: PrecompileFixture.vectors("differential-modexp.json"))
    func modexp(_ vector: PrecompileVector) { PrecompileVectorTests.check(5, vector) }
}
