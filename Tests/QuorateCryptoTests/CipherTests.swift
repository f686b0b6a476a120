import QuorateTestSupport
import Testing
@testable import QuorateCrypto

@Suite("Ciphers and KDFs")
struct CipherTests {
    @Test("AES-128-CTR: NIST SP 800-38A F.5.1 known answer, and applying twice restores the data")
    func aesCTRKnownAnswer() throws {
        let key = hex("2b7e151628aed2a6abf7158809cf4f3c"), iv = hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff")
        let plaintext = hex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
            + "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710")
        let ciphertext = try AES128CTR.apply(key: key, iv: iv, data: plaintext)
        #expect(Hex.encode(ciphertext) == "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
            + "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee")
        #expect(try AES128CTR.apply(key: key, iv: iv, data: ciphertext) == plaintext)
        #expect(try AES128CTR.apply(key: key, iv: iv, data: []) == [])
        #expect(throws: CryptoError.self) { try AES128CTR.apply(key: [1], iv: iv, data: plaintext) }
        #expect(throws: CryptoError.self) { try AES128CTR.apply(key: key, iv: [1], data: plaintext) }
    }

    static let rfc8439Key = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")
    static let rfc8439Nonce = hex("070000004041424344454647")
    static let rfc8439AAD = hex("50515253c0c1c2c3c4c5c6c7")
    static let rfc8439Plaintext = Array(("Ladies and Gentlemen of the class of '99: If I could offer you only one tip "
        + "for the future, sunscreen would be it.").utf8)

    @Test("ChaCha20-Poly1305: RFC 8439 section 2.8.2 known answer seals and opens")
    func chachaKnownAnswer() throws {
        let sealed = try ChaCha20Poly1305.seal(key: Self.rfc8439Key, nonce: Self.rfc8439Nonce,
                                               plaintext: Self.rfc8439Plaintext, aad: Self.rfc8439AAD)
        #expect(Hex.encode(sealed) == "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
            + "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
            + "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
            + "3ff4def08e4b7a9de576d26586cec64b6116"
            + "1ae10b594f09e26a7e902ecbd0600691")
        #expect(try ChaCha20Poly1305.open(key: Self.rfc8439Key, nonce: Self.rfc8439Nonce,
                                          ciphertextAndTag: sealed, aad: Self.rfc8439AAD) == Self.rfc8439Plaintext)
    }

    @Test("ChaCha20-Poly1305: any altered byte of ciphertext, tag, AAD, nonce or key is detected")
    func chachaTamperDetection() throws {
        let key = Self.rfc8439Key, nonce = Self.rfc8439Nonce, aad = Self.rfc8439AAD
        let sealed = try ChaCha20Poly1305.seal(key: key, nonce: nonce, plaintext: Self.rfc8439Plaintext, aad: aad)
        for index in [0, 57, sealed.count - 17, sealed.count - 16, sealed.count - 1] {
            var altered = sealed; altered[index] ^= 0x01
            #expect(throws: CryptoError.self) { try ChaCha20Poly1305.open(key: key, nonce: nonce, ciphertextAndTag: altered, aad: aad) }
        }
        var otherAAD = aad; otherAAD[0] ^= 1
        #expect(throws: CryptoError.self) { try ChaCha20Poly1305.open(key: key, nonce: nonce, ciphertextAndTag: sealed, aad: otherAAD) }
        #expect(throws: CryptoError.self) { try ChaCha20Poly1305.open(key: key, nonce: nonce, ciphertextAndTag: sealed, aad: []) }
        var otherNonce = nonce; otherNonce[4] ^= 1
        #expect(throws: CryptoError.self) { try ChaCha20Poly1305.open(key: key, nonce: otherNonce, ciphertextAndTag: sealed, aad: aad) }
        var otherKey = key; otherKey[31] ^= 1
        #expect(throws: CryptoError.self) { try ChaCha20Poly1305.open(key: otherKey, nonce: nonce, ciphertextAndTag: sealed, aad: aad) }
        #expect(throws: CryptoError.self) { try ChaCha20Poly1305.open(key: key, nonce: nonce, ciphertextAndTag: Array(sealed.suffix(15)), aad: aad) }
        let error = #expect(throws: CryptoError.self) {
            try ChaCha20Poly1305.open(key: otherKey, nonce: nonce, ciphertextAndTag: sealed, aad: aad)
        }
        #expect(error?.description.contains("authentication failed") == true)
    }

    @Test("ChaCha20-Poly1305: empty plaintext and AAD give a bare tag that opens to nothing (BOLT 8 act messages)")
    func chachaEmpty() throws {
        let key = [UInt8](repeating: 7, count: 32), nonce = [UInt8](repeating: 0, count: 12)
        let sealed = try ChaCha20Poly1305.seal(key: key, nonce: nonce, plaintext: [], aad: [])
        #expect(sealed.count == 16)
        #expect(try ChaCha20Poly1305.open(key: key, nonce: nonce, ciphertextAndTag: sealed, aad: []) == [])
        #expect(throws: CryptoError.self) { try ChaCha20Poly1305.seal(key: key, nonce: [0], plaintext: [], aad: []) }
        #expect(throws: CryptoError.self) { try ChaCha20Poly1305.seal(key: [0], nonce: nonce, plaintext: [], aad: []) }
    }

    @Test("PBKDF2-HMAC-SHA256: RFC 7914 section 11 known answers")
    func pbkdf2KnownAnswers() throws {
        #expect(Hex.encode(try KDF.pbkdf2SHA256(password: Array("passwd".utf8), salt: Array("salt".utf8), iterations: 1, length: 64))
            == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783")
        #expect(Hex.encode(try KDF.pbkdf2SHA256(password: Array("Password".utf8), salt: Array("NaCl".utf8), iterations: 80000, length: 64))
            == "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d")
    }

    @Test("scrypt: RFC 7914 section 12 known answers (n=16 with empty inputs, n=1024 r=8 p=16)")
    func scryptKnownAnswers() throws {
        #expect(Hex.encode(try KDF.scrypt(password: [], salt: [], n: 16, r: 1, p: 1, length: 64))
            == "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906")
        #expect(Hex.encode(try KDF.scrypt(password: Array("password".utf8), salt: Array("NaCl".utf8), n: 1024, r: 8, p: 16, length: 64))
            == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")
    }

    @Test("KDF parameters outside the named limits are refused before any work")
    func kdfLimits() {
        #expect(throws: CryptoError.self) { try KDF.scrypt(password: [], salt: [], n: 1000, r: 1, p: 1, length: 32) }
        #expect(throws: CryptoError.self) { try KDF.scrypt(password: [], salt: [], n: KDF.maxScryptN * 2, r: 1, p: 1, length: 32) }
        #expect(throws: CryptoError.self) { try KDF.scrypt(password: [], salt: [], n: 16, r: 0, p: 1, length: 32) }
        #expect(throws: CryptoError.self) { try KDF.scrypt(password: [], salt: [], n: 16, r: 64, p: 64, length: 32) }
        #expect(throws: CryptoError.self) { try KDF.scrypt(password: [], salt: [], n: KDF.maxScryptN, r: 16, p: 1, length: 32) }
        #expect(throws: CryptoError.self) { try KDF.scrypt(password: [], salt: [], n: 16, r: 1, p: 1, length: 0) }
        #expect(throws: CryptoError.self) { try KDF.pbkdf2SHA256(password: [], salt: [], iterations: 0, length: 32) }
        #expect(throws: CryptoError.self) {
            try KDF.pbkdf2SHA256(password: [], salt: [], iterations: KDF.maxPBKDF2Iterations + 1, length: 32)
        }
    }

    @Test("SecureRandom gives the requested count and differs between calls")
    func secureRandom() {
        #expect(SecureRandom.bytes(0) == [])
        let a = SecureRandom.bytes(32), b = SecureRandom.bytes(32)
        #expect(a.count == 32 && a != b)
    }
}

@Suite("scrypt without OpenSSL's N < 2^(16 r) rule")
struct ScryptPortableTests {
    @Test("the Swift scrypt used for geth's r=1 keystores matches RFC 7914's vectors")
    func portableKnownAnswers() throws {
        #expect(Hex.encode(try ScryptPortable.derive(password: [], salt: [], n: 16, r: 1, p: 1, length: 64))
            == "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906")
        #expect(Hex.encode(try ScryptPortable.derive(password: Array("password".utf8), salt: Array("NaCl".utf8), n: 1024, r: 8, p: 16, length: 64))
            == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")
    }

    @Test("the Swift scrypt agrees with OpenSSL's on parameters both accept")
    func portableMatchesOpenSSL() throws {
        for (n, r, p) in [(2, 1, 1), (1024, 1, 3), (512, 2, 2), (4096, 8, 1)] as [(UInt64, UInt32, UInt32)] {
            let password = SecureRandom.bytes(Int(n % 13)), salt = SecureRandom.bytes(32)
            #expect(try ScryptPortable.derive(password: password, salt: salt, n: Int(n), r: Int(r), p: Int(p), length: 32)
                == KDF.scrypt(password: password, salt: salt, n: n, r: r, p: p, length: 32), "n=\(n) r=\(r) p=\(p)")
        }
    }
}
