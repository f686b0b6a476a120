import Foundation
import QuorateTestSupport
import Testing
@testable import QuorateCrypto

@Suite("Keystore (Web3 Secret Storage v3)")
struct KeystoreTests {
    static let wrongPasswordMessage = "wrong password: keystore MAC does not match"

    static func jsonBytes(_ object: Any) throws -> [UInt8] {
        [UInt8](try JSONSerialization.data(withJSONObject: object))
    }

    @Test("ethereum/tests KeyStoreTests: every keystore decrypts to its key; a wrong password fails on the MAC")
    func ethereumTestsKeystores() throws {
        let root = try #require(try Fixture.json("ethereum/KeyStoreTests/basic_tests.json") as? [String: [String: Any]])
        #expect(root.count == 5)
        for (name, test) in root.sorted(by: { $0.key < $1.key }) {
            let json = try Self.jsonBytes(try #require(test["json"]))
            let password = Array(try #require(test["password"] as? String).utf8)
            let priv = try #require(test["priv"] as? String)
            #expect(Hex.encode(try Keystore.decrypt(json: json, password: password)) == priv, "\(name)")
            let error = #expect(throws: CryptoError.self, "\(name)") {
                try Keystore.decrypt(json: json, password: password + Array("x".utf8))
            }
            #expect(error?.description == Self.wrongPasswordMessage)
        }
    }

    @Test("eth-account keystores (scrypt, pbkdf2, empty and non-ASCII passwords) decrypt; wrong password fails")
    func ethAccountKeystores() throws {
        let root = try #require(try Fixture.json("eth-account/keystores.json") as? [String: Any])
        let keystores = try #require(root["keystores"] as? [[String: Any]])
        #expect(keystores.count == 4)
        for entry in keystores {
            let json = try Self.jsonBytes(try #require(entry["keystore"]))
            let password = Array(try #require(entry["password"] as? String).utf8)
            let priv = hex(try #require(entry["privateKey"] as? String))
            #expect(try Keystore.decrypt(json: json, password: password) == priv)
            let address = try #require(entry["address"] as? String)
            #expect(Keystore.address(json: json)?.lowercased() == String(address.dropFirst(2)).lowercased())
            #expect(try Hex.encode(Secp256k1.PrivateKey(bytes: priv).publicKey.ethereumAddress) == address.lowercased().dropFirst(2))
            let error = #expect(throws: CryptoError.self) { try Keystore.decrypt(json: json, password: Array("wrong".utf8)) }
            #expect(error?.description == Self.wrongPasswordMessage)
        }
    }

    @Test("encrypt then decrypt round-trips with scrypt and pbkdf2, writing the v3 fields geth reads")
    func roundTrip() throws {
        let key = Secp256k1.PrivateKey.generate()
        let password = Array("päss wörd".utf8)
        for kdf in [Keystore.KDFChoice.scrypt(n: 4096, r: 8, p: 1), .pbkdf2(iterations: 4096)] {
            let json = try Keystore.encrypt(privateKey: key.bytes, password: password, kdf: kdf)
            #expect(try Keystore.decrypt(json: json, password: password) == key.bytes)
            #expect(throws: CryptoError.self) { try Keystore.decrypt(json: json, password: []) }
            #expect(Keystore.address(json: json) == Hex.encode(key.publicKey.ethereumAddress))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
            #expect(object["version"] as? Int == 3)
            let id = try #require(object["id"] as? String)
            #expect(id.count == 36 && Array(id)[14] == "4")
            let crypto = try #require(object["crypto"] as? [String: Any])
            #expect(crypto["cipher"] as? String == "aes-128-ctr")
            let params = try #require(crypto["kdfparams"] as? [String: Any])
            #expect(params["dklen"] as? Int == 32)
            switch kdf {
            case .scrypt: #expect(crypto["kdf"] as? String == "scrypt"); #expect(params["n"] as? Int == 4096)
            case .pbkdf2: #expect(crypto["kdf"] as? String == "pbkdf2"); #expect(params["prf"] as? String == "hmac-sha256")
            }
        }
        let a = try Keystore.encrypt(privateKey: key.bytes, password: password, kdf: .pbkdf2(iterations: 1))
        let b = try Keystore.encrypt(privateKey: key.bytes, password: password, kdf: .pbkdf2(iterations: 1))
        #expect(a != b, "salt, iv and id are random")
    }

    @Test("the standard KDF is geth's scrypt n=262144 r=8 p=1 and round-trips")
    func standardKDF() throws {
        #expect(Keystore.KDFChoice.standard == .scrypt(n: 262_144, r: 8, p: 1))
        let key = Secp256k1.PrivateKey.generate()
        let json = try Keystore.encrypt(privateKey: key.bytes, password: Array("pw".utf8))
        #expect(try Keystore.decrypt(json: json, password: Array("pw".utf8)) == key.bytes)
    }

    /// A keystore from eth-account with one field replaced, for the refusal cases.
    static func altered(_ change: (inout [String: Any], inout [String: Any], inout [String: Any]) -> Void) throws -> [UInt8] {
        let root = try #require(try Fixture.json("eth-account/keystores.json") as? [String: Any])
        let entry = try #require((root["keystores"] as? [[String: Any]])?.first)
        var keystore = try #require(entry["keystore"] as? [String: Any])
        var crypto = try #require(keystore["crypto"] as? [String: Any])
        var params = try #require(crypto["kdfparams"] as? [String: Any])
        change(&keystore, &crypto, &params)
        crypto["kdfparams"] = params
        keystore["crypto"] = crypto
        return try jsonBytes(keystore)
    }

    static func refusal(_ json: [UInt8]) -> String? {
        do {
            _ = try Keystore.decrypt(json: json, password: Array("correct horse battery staple".utf8))
            return nil
        } catch {
            return (error as? CryptoError)?.description
        }
    }

    @Test("unsupported or out-of-bounds keystores are refused with a message naming the problem")
    func refusals() throws {
        #expect(Self.refusal(try Self.altered { _, _, _ in }) == nil, "the unaltered file decrypts")
        #expect(Self.refusal(try Self.altered { _, c, _ in c["cipher"] = "aes-128-cbc" })?.contains("unsupported keystore cipher \"aes-128-cbc\"") == true)
        #expect(Self.refusal(try Self.altered { _, c, _ in c["kdf"] = "argon2" })?.contains("unsupported keystore kdf \"argon2\"") == true)
        #expect(Self.refusal(try Self.altered { k, _, _ in k["version"] = 4 })?.contains("version") == true)
        #expect(Self.refusal(try Self.altered { _, _, p in p["n"] = 1 << 21 })?.contains("n") == true)
        #expect(Self.refusal(try Self.altered { _, _, p in p["n"] = 4095 })?.contains("power of two") == true)
        #expect(Self.refusal(try Self.altered { _, _, p in p["r"] = 1000 })?.contains("r") == true)
        #expect(Self.refusal(try Self.altered { _, _, p in p["dklen"] = 64 })?.contains("dklen must be 32") == true)
        #expect(Self.refusal(try Self.altered { _, c, _ in c["ciphertext"] = "00" })?.contains("ciphertext") == true)
        #expect(Self.refusal(try Self.altered { _, c, _ in c["mac"] = "zz" })?.contains("mac is not valid hex") == true)
        #expect(Self.refusal(try Self.altered { _, c, _ in c["cipherparams"] = nil })?.contains("cipherparams") == true)
        #expect(Self.refusal(Array("[1,2]".utf8)) == "keystore JSON is not an object")
        #expect(Self.refusal(Array("{".utf8)) == "keystore is not valid JSON")
        let huge = Array("{\"pad\":\"".utf8) + [UInt8](repeating: 0x61, count: Keystore.maxJSONBytes) + Array("\"}".utf8)
        #expect(Self.refusal(huge)?.contains("limit") == true)
        #expect(Keystore.address(json: huge) == nil)

        let pbkdf2 = try #require((try Fixture.json("eth-account/keystores.json") as? [String: Any])?["keystores"] as? [[String: Any]])[1]
        var keystore = try #require(pbkdf2["keystore"] as? [String: Any])
        var crypto = try #require(keystore["crypto"] as? [String: Any])
        var params = try #require(crypto["kdfparams"] as? [String: Any])
        params["c"] = Int(KDF.maxPBKDF2Iterations) + 1
        crypto["kdfparams"] = params; keystore["crypto"] = crypto
        #expect(Self.refusal(try Self.jsonBytes(keystore))?.contains("exceeds the limit") == true)
        params["c"] = 4096; params["prf"] = "hmac-sha512"
        crypto["kdfparams"] = params; keystore["crypto"] = crypto
        #expect(Self.refusal(try Self.jsonBytes(keystore))?.contains("prf \"hmac-sha512\"") == true)
    }

    @Test("encrypt refuses a key that is not a valid secp256k1 scalar")
    func encryptRefusesInvalidKey() {
        #expect(throws: CryptoError.self) { try Keystore.encrypt(privateKey: [UInt8](repeating: 0, count: 32), password: [], kdf: .pbkdf2(iterations: 1)) }
        #expect(throws: CryptoError.self) { try Keystore.encrypt(privateKey: [1, 2], password: [], kdf: .pbkdf2(iterations: 1)) }
    }
}
