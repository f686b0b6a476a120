import QuorateTestSupport
import Testing
@testable import QuorateCrypto

@Suite("Digests")
struct DigestTests {
    @Test("keccak256 matches every eth-hash vector around the 136-byte rate")
    func keccakVectors() throws {
        let root = try #require(try Fixture.json("eth-account/keccak256.json") as? [String: Any])
        let vectors = try #require(root["vectors"] as? [[String: String]])
        #expect(vectors.count > 10)
        for v in vectors {
            let input = hex(try #require(v["input"]))
            #expect(Hex.encode(Keccak256.hash(input)) == v["keccak256"], "input length \(input.count)")
        }
    }

    @Test("SHA-256 known answers (FIPS 180-2 'abc', empty, two-block)")
    func sha256KnownAnswers() {
        #expect(Hex.encode(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Hex.encode(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.encode(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("HMAC-SHA256 RFC 4231 test cases 1 and 2, and an empty key")
    func hmacKnownAnswers() {
        #expect(Hex.encode(HMACSHA256.authenticationCode(key: [UInt8](repeating: 0x0b, count: 20), data: Array("Hi There".utf8)))
            == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(Hex.encode(HMACSHA256.authenticationCode(key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8)))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // python3: hmac.new(b"", b"", hashlib.sha256).hexdigest()
        #expect(Hex.encode(HMACSHA256.authenticationCode(key: [], data: []))
            == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test("HKDF-SHA256 RFC 5869 test cases 1 and 3, and empty key material as BOLT 8's final split uses")
    func hkdfKnownAnswers() {
        let okm1 = HKDFSHA256.derive(salt: hex("000102030405060708090a0b0c"),
                                     inputKeyMaterial: [UInt8](repeating: 0x0b, count: 22),
                                     info: hex("f0f1f2f3f4f5f6f7f8f9"), outputLength: 42)
        #expect(Hex.encode(okm1) == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
        let okm3 = HKDFSHA256.derive(salt: [], inputKeyMaterial: [UInt8](repeating: 0x0b, count: 22), info: [], outputLength: 42)
        #expect(Hex.encode(okm3) == "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
        // python3: prk = hmac(key=b"\x01"*32, msg=b""); okm = hmac(key=prk, msg=b"\x01")
        let empty = HKDFSHA256.derive(salt: [UInt8](repeating: 1, count: 32), inputKeyMaterial: [], info: [], outputLength: 32)
        #expect(Hex.encode(empty) == "b5a5789af1d00c74773ef327dc63f0f11c7041252d4916c43a252b92e3358ad2")
    }
}
