import Foundation

/// Web3 Secret Storage v3 (geth, eth-account): aes-128-ctr under a scrypt or pbkdf2 key,
/// authenticated by keccak256(derivedKey[16..<32] || ciphertext).
public enum Keystore {
    public enum KDFChoice: Sendable, Equatable {
        case scrypt(n: UInt64, r: UInt32, p: UInt32)
        case pbkdf2(iterations: UInt32)

        /// geth's default ("standard" scrypt): about 256 MiB and a second per unlock.
        public static let standard: KDFChoice = .scrypt(n: 262_144, r: 8, p: 1)
    }

    /// Real keystores are under 1 KiB; the bound keeps a hostile file from costing much to parse.
    public static let maxJSONBytes = 64 * 1024
    /// The spec allows a longer dklen but only 32 bytes are used; geth and eth-account write 32.
    static let derivedKeyLength = 32

    public static func encrypt(privateKey: [UInt8], password: [UInt8], kdf: KDFChoice = .standard) throws -> [UInt8] {
        let key = try Secp256k1.PrivateKey(bytes: privateKey)
        let salt = SecureRandom.bytes(32)
        let iv = SecureRandom.bytes(16)
        let kdfName: String
        let kdfParams: [String: Any]
        let derived: [UInt8]
        switch kdf {
        case let .scrypt(n, r, p):
            kdfName = "scrypt"
            kdfParams = ["dklen": derivedKeyLength, "n": Int(n), "r": Int(r), "p": Int(p), "salt": Hex.encode(salt)]
            derived = try KDF.scrypt(password: password, salt: salt, n: n, r: r, p: p, length: derivedKeyLength)
        case let .pbkdf2(iterations):
            kdfName = "pbkdf2"
            kdfParams = ["c": Int(iterations), "dklen": derivedKeyLength, "prf": "hmac-sha256", "salt": Hex.encode(salt)]
            derived = try KDF.pbkdf2SHA256(password: password, salt: salt, iterations: iterations, length: derivedKeyLength)
        }
        let ciphertext = try AES128CTR.apply(key: Array(derived[0..<16]), iv: iv, data: key.bytes)
        let mac = Keccak256.hash(Array(derived[16..<32]) + ciphertext)
        let document: [String: Any] = [
            "address": Hex.encode(key.publicKey.ethereumAddress),
            "crypto": [
                "cipher": "aes-128-ctr",
                "cipherparams": ["iv": Hex.encode(iv)],
                "ciphertext": Hex.encode(ciphertext),
                "kdf": kdfName,
                "kdfparams": kdfParams,
                "mac": Hex.encode(mac),
            ] as [String: Any],
            "id": randomUUID(),
            "version": 3,
        ]
        return [UInt8](try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]))
    }

    public static func decrypt(json: [UInt8], password: [UInt8]) throws -> [UInt8] {
        let root = try parse(json)
        guard let version = root["version"] as? Int, version == 3 else {
            throw CryptoError("unsupported keystore version \(root["version"].map { "\($0)" } ?? "(missing)"): only version 3 is supported")
        }
        // geth reads the field case-insensitively; old geth wrote "Crypto".
        guard let crypto = (root["crypto"] ?? root["Crypto"]) as? [String: Any] else {
            throw CryptoError("keystore has no \"crypto\" object")
        }
        let cipher = try string(crypto, "cipher", in: "crypto")
        guard cipher == "aes-128-ctr" else {
            throw CryptoError("unsupported keystore cipher \"\(cipher)\": only aes-128-ctr is supported")
        }
        let cipherParams = try object(crypto, "cipherparams", in: "crypto")
        let iv = try bytes(cipherParams, "iv", in: "crypto.cipherparams")
        guard iv.count == 16 else { throw CryptoError("keystore iv must be 16 bytes, got \(iv.count)") }
        let ciphertext = try bytes(crypto, "ciphertext", in: "crypto")
        guard ciphertext.count == 32 else {
            throw CryptoError("keystore ciphertext must be 32 bytes (a secp256k1 private key), got \(ciphertext.count)")
        }
        let mac = try bytes(crypto, "mac", in: "crypto")
        guard mac.count == 32 else { throw CryptoError("keystore mac must be 32 bytes, got \(mac.count)") }

        let derived = try deriveKey(crypto: crypto, password: password)
        let expected = Keccak256.hash(Array(derived[16..<32]) + ciphertext)
        guard constantTimeEqual(expected, mac) else {
            throw CryptoError("wrong password: keystore MAC does not match")
        }
        let privateKey = try AES128CTR.apply(key: Array(derived[0..<16]), iv: iv, data: ciphertext)
        guard (try? Secp256k1.PrivateKey(bytes: privateKey)) != nil else {
            throw CryptoError("keystore holds an invalid secp256k1 private key")
        }
        return privateKey
    }

    /// The "address" field as written in the file (case and any 0x kept), if present.
    public static func address(json: [UInt8]) -> String? {
        (try? parse(json))?["address"] as? String
    }

    // MARK: - Parsing

    private static func deriveKey(crypto: [String: Any], password: [UInt8]) throws -> [UInt8] {
        let kdf = try string(crypto, "kdf", in: "crypto")
        let params = try object(crypto, "kdfparams", in: "crypto")
        let dklen = try integer(params, "dklen", in: "crypto.kdfparams", max: UInt64(KDF.maxOutputLength))
        guard dklen == UInt64(derivedKeyLength) else {
            throw CryptoError("keystore kdfparams.dklen must be \(derivedKeyLength), got \(dklen)")
        }
        let salt = try bytes(params, "salt", in: "crypto.kdfparams")
        switch kdf {
        case "scrypt":
            let n = try integer(params, "n", in: "crypto.kdfparams", max: KDF.maxScryptN)
            let r = try integer(params, "r", in: "crypto.kdfparams", max: KDF.maxScryptRTimesP)
            let p = try integer(params, "p", in: "crypto.kdfparams", max: KDF.maxScryptRTimesP)
            return try KDF.scrypt(password: password, salt: salt, n: n, r: UInt32(r), p: UInt32(p), length: derivedKeyLength)
        case "pbkdf2":
            let prf = try string(params, "prf", in: "crypto.kdfparams")
            guard prf == "hmac-sha256" else {
                throw CryptoError("unsupported keystore pbkdf2 prf \"\(prf)\": only hmac-sha256 is supported")
            }
            let c = try integer(params, "c", in: "crypto.kdfparams", max: UInt64(KDF.maxPBKDF2Iterations))
            return try KDF.pbkdf2SHA256(password: password, salt: salt, iterations: UInt32(c), length: derivedKeyLength)
        default:
            throw CryptoError("unsupported keystore kdf \"\(kdf)\": only scrypt and pbkdf2 are supported")
        }
    }

    private static func parse(_ json: [UInt8]) throws -> [String: Any] {
        guard json.count <= maxJSONBytes else {
            throw CryptoError("keystore file is \(json.count) bytes, more than the \(maxJSONBytes)-byte limit")
        }
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: Data(json))
        } catch {
            throw CryptoError("keystore is not valid JSON")
        }
        guard let root = value as? [String: Any] else { throw CryptoError("keystore JSON is not an object") }
        return root
    }

    private static func object(_ dict: [String: Any], _ key: String, in path: String) throws -> [String: Any] {
        guard let value = dict[key] as? [String: Any] else { throw CryptoError("keystore \(path).\(key) is missing or not an object") }
        return value
    }

    private static func string(_ dict: [String: Any], _ key: String, in path: String) throws -> String {
        guard let value = dict[key] as? String else { throw CryptoError("keystore \(path).\(key) is missing or not a string") }
        return value
    }

    private static func bytes(_ dict: [String: Any], _ key: String, in path: String) throws -> [UInt8] {
        let text = try string(dict, key, in: path)
        do { return try Hex.decode(text) } catch { throw CryptoError("keystore \(path).\(key) is not valid hex") }
    }

    private static func integer(_ dict: [String: Any], _ key: String, in path: String, max: UInt64) throws -> UInt64 {
        guard let value = dict[key] as? Int, value >= 1 else {
            throw CryptoError("keystore \(path).\(key) is missing or not a positive integer")
        }
        guard UInt64(value) <= max else { throw CryptoError("keystore \(path).\(key) = \(value) exceeds the limit \(max)") }
        return UInt64(value)
    }

    // MARK: - Helpers

    /// The MAC is compared without an early exit so that timing does not reveal how much matched.
    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    /// RFC 4122 version 4, from the CSPRNG rather than Foundation's generator.
    private static func randomUUID() -> String {
        var b = SecureRandom.bytes(16)
        b[6] = b[6] & 0x0f | 0x40
        b[8] = b[8] & 0x3f | 0x80
        let h = Hex.encode(b)
        let parts = [h.prefix(8), h.dropFirst(8).prefix(4), h.dropFirst(12).prefix(4), h.dropFirst(16).prefix(4), h.dropFirst(20)]
        return parts.joined(separator: "-")
    }
}
