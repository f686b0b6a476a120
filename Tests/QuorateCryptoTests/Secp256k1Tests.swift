import QuorateTestSupport
import Testing
@testable import QuorateCrypto

@Suite("secp256k1")
struct Secp256k1Tests {
    @Test("Wycheproof ECDSA secp256k1 SHA-256 bitcoin: every valid case verifies, every invalid one is refused")
    func wycheproofBitcoin() throws {
        let root = try #require(try Fixture.json("wycheproof/ecdsa_secp256k1_sha256_bitcoin_test.json") as? [String: Any])
        let groups = try #require(root["testGroups"] as? [[String: Any]])
        var checked = 0, valid = 0
        for group in groups {
            let key = try #require(group["publicKey"] as? [String: Any])
            let publicKey = try Secp256k1.PublicKey(bytes: hex(try #require(key["uncompressed"] as? String)))
            for test in try #require(group["tests"] as? [[String: Any]]) {
                let id = try #require(test["tcId"] as? Int)
                let hash = SHA256.hash(hex(try #require(test["msg"] as? String)))
                let der = hex(try #require(test["sig"] as? String))
                let result = try #require(test["result"] as? String)
                let verified = publicKey.verifyDER(der, hash: hash)
                switch result {
                case "valid": #expect(verified, "tcId \(id) should verify"); valid += 1
                case "invalid": #expect(!verified, "tcId \(id) should be refused")
                default: Issue.record("tcId \(id): unexpected result \(result)")
                }
                checked += 1
            }
        }
        #expect(checked == 463)
        #expect(checked == root["numberOfTests"] as? Int)
        #expect(valid == 162)
    }

    @Test("Wycheproof ECDH secp256k1: raw x matches for valid keys, invalid points are refused")
    func wycheproofECDH() throws {
        let root = try #require(try Fixture.json("wycheproof/ecdh_secp256k1_test.json") as? [String: Any])
        let groups = try #require(root["testGroups"] as? [[String: Any]])
        // Only the two plain SubjectPublicKeyInfo shapes are unwrapped here; every other ASN.1
        // form is "invalid" or "acceptable" in this file (checked by the counts below).
        let uncompressedPrefix = hex("3056301006072a8648ce3d020106052b8104000a034200")
        let compressedPrefix = hex("3036301006072a8648ce3d020106052b8104000a032200")
        var valid = 0, refused = 0, skippedEncoding = 0
        for group in groups {
            for test in try #require(group["tests"] as? [[String: Any]]) {
                let id = try #require(test["tcId"] as? Int)
                let spki = hex(try #require(test["public"] as? String))
                let result = try #require(test["result"] as? String)
                let point: [UInt8]
                if spki.count == uncompressedPrefix.count + 65, spki.starts(with: uncompressedPrefix) {
                    point = Array(spki[uncompressedPrefix.count...])
                } else if spki.count == compressedPrefix.count + 33, spki.starts(with: compressedPrefix) {
                    point = Array(spki[compressedPrefix.count...])
                } else {
                    #expect(result != "valid", "tcId \(id): valid case with an unhandled encoding")
                    skippedEncoding += 1
                    continue
                }
                var scalar = hex(try #require(test["private"] as? String))
                while scalar.count > 32, scalar.first == 0 { scalar.removeFirst() }
                scalar = [UInt8](repeating: 0, count: 32 - scalar.count) + scalar
                let privateKey = try Secp256k1.PrivateKey(bytes: scalar)
                let shared: [UInt8]?
                do { shared = try privateKey.sharedX(with: Secp256k1.PublicKey(bytes: point)) } catch { shared = nil }
                switch result {
                case "valid":
                    #expect(shared.map { Hex.encode($0) } == test["shared"] as? String, "tcId \(id)")
                    valid += 1
                case "invalid":
                    #expect(shared == nil, "tcId \(id) should be refused")
                    refused += 1
                default:
                    if let shared { #expect(Hex.encode(shared) == test["shared"] as? String, "tcId \(id)") }
                }
            }
        }
        #expect(valid == 473)
        #expect(refused == 21)
        #expect(skippedEncoding == 256)
    }

    /// The file's "sig_of_emptystring" entries are not checked: they recover to the address
    /// under none of keccak256(""), sha256(""), sha3-256(""), 32 zero bytes or the personal-sign
    /// prefix, so their signed hash is undocumented.
    @Test("ethereum/tests keyaddrtest: each private key gives its address")
    func keyAddress() throws {
        let cases = try #require(try Fixture.json("ethereum/BasicTests/keyaddrtest.json") as? [[String: Any]])
        #expect(cases.count == 2)
        for c in cases {
            let key = try Secp256k1.PrivateKey(bytes: hex(try #require(c["key"] as? String)))
            #expect(Hex.encode(key.publicKey.ethereumAddress) == c["addr"] as? String)
        }
    }

    @Test("sign then recover gives the signer; signatures are low-S, deterministic and verify")
    func signRecoverRoundTrip() throws {
        for i in 0..<64 {
            let key = Secp256k1.PrivateKey.generate()
            let hash = Keccak256.hash(Array("message \(i)".utf8))
            let signature = try key.sign(hash: hash)
            #expect(signature.isLowS)
            #expect(try key.sign(hash: hash) == signature, "RFC 6979 is deterministic")
            #expect(try signature.recoverPublicKey(hash: hash) == key.publicKey)
            #expect(try Secp256k1.recoverAddress(hash: hash, r: signature.r, s: signature.s,
                                                 recoveryId: signature.recoveryId) == key.publicKey.ethereumAddress)
            #expect(key.publicKey.verify(signature64: signature.r + signature.s, hash: hash))
            #expect(try Secp256k1.RecoverableSignature(compact65: signature.compact65) == signature)
            var other = hash; other[0] ^= 1
            #expect(!key.publicKey.verify(signature64: signature.r + signature.s, hash: other))
            #expect(try signature.recoverPublicKey(hash: other) != key.publicKey)
        }
    }

    @Test("a high-S signature (s' = n - s) is refused by recover and by verify")
    func highSRefused() throws {
        let key = try Secp256k1.PrivateKey(bytes: hex("c85ef7d79691fe79573b1a7064c19c1a9819ebdbd1faaab1a8ec92344438aaf4"))
        let hash = SHA256.hash(Array("high s".utf8))
        let signature = try key.sign(hash: hash)
        #expect(key.publicKey.verify(signature64: signature.r + signature.s, hash: hash))
        let high = try Secp256k1.RecoverableSignature(r: signature.r, s: negateModOrder(signature.s),
                                                      recoveryId: signature.recoveryId ^ 1)
        #expect(!high.isLowS)
        #expect(throws: CryptoError.self) { try high.recoverPublicKey(hash: hash) }
        #expect(throws: CryptoError.self) {
            try Secp256k1.recoverAddress(hash: hash, r: high.r, s: high.s, recoveryId: high.recoveryId)
        }
        #expect(!key.publicKey.verify(signature64: high.r + high.s, hash: hash))
    }

    @Test("public keys: compressed and uncompressed parse to the same key; bad keys are refused")
    func publicKeyEncodings() throws {
        let key = Secp256k1.PrivateKey.generate()
        let fromCompressed = try Secp256k1.PublicKey(bytes: key.publicKey.compressed)
        let fromUncompressed = try Secp256k1.PublicKey(bytes: key.publicKey.uncompressed)
        #expect(fromCompressed == fromUncompressed)
        #expect(fromCompressed.hashValue == fromUncompressed.hashValue)
        #expect(key.publicKey.compressed.count == 33 && key.publicKey.uncompressed.count == 65)
        #expect(key.publicKey.uncompressed[0] == 4)
        var offCurve = key.publicKey.uncompressed; offCurve[64] ^= 1
        #expect(throws: CryptoError.self) { try Secp256k1.PublicKey(bytes: offCurve) }
        #expect(throws: CryptoError.self) { try Secp256k1.PublicKey(bytes: Array(key.publicKey.uncompressed.prefix(64))) }
    }

    @Test("private keys outside 1..<n and malformed signatures are refused")
    func invalidInputs() throws {
        #expect(throws: CryptoError.self) { try Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: CryptoError.self) {
            try Secp256k1.PrivateKey(bytes: hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"))
        }
        #expect(throws: CryptoError.self) { try Secp256k1.PrivateKey(bytes: [1]) }
        let one = [UInt8](repeating: 0, count: 31) + [1]
        #expect(throws: CryptoError.self) { try Secp256k1.RecoverableSignature(r: one, s: one, recoveryId: 4) }
        #expect(throws: CryptoError.self) { try Secp256k1.RecoverableSignature(r: one, s: [UInt8](repeating: 0, count: 32), recoveryId: 0) }
        #expect(throws: CryptoError.self) { try Secp256k1.RecoverableSignature(r: [UInt8](repeating: 0xff, count: 32), s: one, recoveryId: 0) }
        #expect(throws: CryptoError.self) { try Secp256k1.RecoverableSignature(compact65: [UInt8](repeating: 1, count: 64)) }
        let key = Secp256k1.PrivateKey.generate()
        #expect(throws: CryptoError.self) { try key.sign(hash: [1, 2, 3]) }
        #expect(!key.publicKey.verify(signature64: [UInt8](repeating: 0xff, count: 64), hash: SHA256.hash([])))
        #expect(!String(describing: key).contains(Hex.encode(key.bytes)))
    }

    @Test("ECDH: both sides derive the same BOLT 8 secret, SHA-256 of the compressed shared point")
    func ecdhAgreement() throws {
        let a = Secp256k1.PrivateKey.generate(), b = Secp256k1.PrivateKey.generate()
        let ab = try a.sharedSecret(with: b.publicKey)
        #expect(ab == (try b.sharedSecret(with: a.publicKey)))
        #expect(ab.count == 32)
        // The compressed point is parity || x; the parity is not exposed, so either may match.
        let x = try a.sharedX(with: b.publicKey)
        #expect(ab == SHA256.hash([0x02] + x) || ab == SHA256.hash([0x03] + x))
    }

    @Test("BOLT 8 act-one ECDH vector: ss = SHA256(compressed(e * rs))")
    func bolt8ECDH() throws {
        // lightning/bolts 08-transport.md Appendix A, initiator: e.priv and rs.pub give ss.
        let e = try Secp256k1.PrivateKey(bytes: hex("1212121212121212121212121212121212121212121212121212121212121212"))
        let rs = try Secp256k1.PublicKey(bytes: hex("028d7500dd4c12685d1f568b4c2b5048e8534b873319f3a8daa612b469132ec7f7"))
        #expect(Hex.encode(try e.sharedSecret(with: rs)) == "1e2fb3c8fe8fb9f262f649f64d26ecf0f2c0a805a767cf02dc2d77a6ef1fdcc3")
    }
}
