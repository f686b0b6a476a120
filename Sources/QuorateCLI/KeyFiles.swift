import Foundation
import QuorateCrypto

/// Reading and writing encrypted key files (Web3 Secret Storage v3) with owner-only permissions.
public enum KeyFiles {
    public struct KeyFileError: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public static func write(_ key: Secp256k1.PrivateKey, password: [UInt8], to path: String,
                             kdf: Keystore.KDFChoice = .standard) throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw KeyFileError(description: "\(path) exists; refusing to overwrite a key")
        }
        let json = try Keystore.encrypt(privateKey: key.bytes, password: password, kdf: kdf)
        try writePrivate(json, to: path)
    }

    public static func read(_ path: String, password: [UInt8]) throws -> Secp256k1.PrivateKey {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KeyFileError(description: "cannot read the key file \(path)")
        }
        do {
            return try Secp256k1.PrivateKey(bytes: try Keystore.decrypt(json: Array(data), password: password))
        } catch {
            throw KeyFileError(description: "\(path): \(error)")
        }
    }

    /// Writes a file readable by its owner only (0600), creating parent folders (0700).
    public static func writePrivate(_ bytes: [UInt8], to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
            throw KeyFileError(description: "cannot write \(path)")
        }
    }
}
