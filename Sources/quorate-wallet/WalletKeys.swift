import Foundation
import QuorateCore
import QuorateCrypto
import QuorateCLI

/// The wallet's keystore folder: one Web3 Secret Storage v3 file per account, named as geth names
/// them, so the folder can be shared with geth or MetaMask imports.
struct WalletKeys {
    let directory: String

    init(_ args: inout CommandLineArguments) {
        if let dir = args.option("keystore-dir") {
            directory = dir
        } else if let env = ProcessInfo.processInfo.environment["QUORATE_KEYSTORE"] {
            directory = env
        } else {
            directory = NSHomeDirectory() + "/.quorate/keystore"
        }
    }

    func store(_ key: Secp256k1.PrivateKey, password: [UInt8], kdf: Keystore.KDFChoice) throws -> (Address, String) {
        let address = Address(key.publicKey.ethereumAddress)
        if let existing = try path(for: address) {
            throw WalletError("\(address) is already in the keystore (\(existing))")
        }
        let path = directory + "/" + WalletKeys.fileName(for: address)
        try KeyFiles.write(key, password: password, to: path, kdf: kdf)
        return (address, path)
    }

    /// geth's naming: UTC--<ISO time>--<address hex>.
    static func fileName(for address: Address) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withDashSeparatorInDate, .withColonSeparatorInTime, .withFractionalSeconds]
        let stamp = formatter.string(from: Date()).replacingOccurrences(of: ":", with: "-")
        return "UTC--\(stamp)Z--\(Hex.encode(address.bytes))"
    }

    func entries() throws -> [(Address, String)] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var out = [(Address, String)]()
        for name in names.sorted() {
            let path = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path), data.count <= 64 * 1024,
                  let hex = Keystore.address(json: Array(data)), let address = try? Address(hex: hex) else { continue }
            out.append((address, path))
        }
        return out
    }

    func path(for address: Address) throws -> String? {
        try entries().first { $0.0 == address }?.1
    }

    /// `--from` is a keystore file or an address whose keystore is in the folder.
    func resolve(_ from: String) throws -> String {
        if FileManager.default.fileExists(atPath: from) { return from }
        if let address = try? Address(hex: from) {
            guard let path = try path(for: address) else {
                throw WalletError("no keystore for \(address) in \(directory): import it with `quorate-wallet import`")
            }
            return path
        }
        throw WalletError("--from \(from) is neither a keystore file nor an address")
    }

    static func unlock(_ path: String, passwordFile: String?) throws -> Secp256k1.PrivateKey {
        let password = try PasswordSource.read(file: passwordFile, prompt: "Password for \((path as NSString).lastPathComponent): ")
        return try KeyFiles.read(path, password: password)
    }
}

struct WalletError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
