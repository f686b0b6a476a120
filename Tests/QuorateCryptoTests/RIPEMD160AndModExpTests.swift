import Testing
@testable import QuorateCrypto

@Suite("RIPEMD-160, modular exponentiation and ecrecover wrappers")
struct RIPEMD160AndModExpTests {
    @Test("RIPEMD-160 known answers from the algorithm's authors")
    func ripemd160() {
        #expect(Hex.encode(RIPEMD160.hash([])) == "9c1185a5c5e9fc54612808977ee8f548b2258d31")
        #expect(Hex.encode(RIPEMD160.hash(Array("abc".utf8))) == "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc")
        #expect(Hex.encode(RIPEMD160.hash(Array("message digest".utf8))) == "5d0689ef49d2fae572b881b123a85ffa21595f36")
        #expect(Hex.encode(RIPEMD160.hash([UInt8](repeating: 0x61, count: 1_000_000))) == "52783243c1697bdbe16d37f97f68f08325dc1528")
    }

    @Test("modular exponentiation: small cases, zero and one moduli, padding to the modulus length")
    func modexp() {
        #expect(ModularExponentiation.compute(base: [3], exponent: [5], modulus: [0, 100]) == [0, 43])
        #expect(ModularExponentiation.compute(base: [3], exponent: [5], modulus: [0, 0]) == [0, 0])
        #expect(ModularExponentiation.compute(base: [3], exponent: [5], modulus: [1]) == [0])
        #expect(ModularExponentiation.compute(base: [], exponent: [], modulus: [7]) == [1])
        #expect(ModularExponentiation.compute(base: [200], exponent: [1], modulus: [7]) == [4])
        #expect(ModularExponentiation.compute(base: [2], exponent: [10], modulus: []) == [])
    }

    @Test("ecrecover wrapper accepts high s and refuses recovery ids above 1")
    func ecrecover() throws {
        let key = try Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0x11, count: 32))
        let hash = Keccak256.hash(Array("precompile".utf8))
        let signature = try key.sign(hash: hash)
        let highS = negateModOrder(signature.s)
        let flipped = signature.recoveryId ^ 1
        #expect(Secp256k1.ecrecoverAddress(hash: hash, r: signature.r, s: signature.s, recoveryId: signature.recoveryId)
                == key.publicKey.ethereumAddress)
        #expect(Secp256k1.ecrecoverAddress(hash: hash, r: signature.r, s: highS, recoveryId: flipped)
                == key.publicKey.ethereumAddress)
        #expect(Secp256k1.ecrecoverAddress(hash: hash, r: signature.r, s: signature.s, recoveryId: 2) == nil)
    }
}
