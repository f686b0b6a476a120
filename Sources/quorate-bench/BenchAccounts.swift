import Foundation
import QuorateCore
import QuorateCrypto

/// One account the bench signs for.
struct BenchAccount: Sendable {
    let key: Secp256k1.PrivateKey
    let address: Address
}

enum BenchAccounts {
    /// Most keystores read from `--accounts-keystore` (each unlock may cost a second of scrypt).
    static let maxKeystores = 64

    /// Account `i` of a seed: its key is keccak256("quorate-bench/<seed>/<i>"), rehashed in the
    /// (negligible) case that it is not a valid secp256k1 key. The same seed always gives the same
    /// accounts, so a kept chain can be benchmarked again with `--rpc`.
    static func derive(seed: String, count: Int) -> [BenchAccount] {
        (0..<count).map { i in
            var material = Keccak256.hash(Array("quorate-bench/\(seed)/\(i)".utf8))
            while true {
                if let key = try? Secp256k1.PrivateKey(bytes: material) {
                    return BenchAccount(key: key, address: Address(key.publicKey.ethereumAddress))
                }
                material = Keccak256.hash(material)
            }
        }
    }

    /// The accounts of a keystore folder (Web3 Secret Storage v3 files), unlocked with one password.
    static func load(keystoreDir dir: String, passwordFile: String) throws -> [BenchAccount] {
        let password = try readPassword(passwordFile)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
            throw BenchError("cannot read the keystore folder \(dir): give the folder of the chain's funded accounts (tools/testnet keeps them in testnet/accounts)")
        }
        var accounts = [BenchAccount]()
        for name in names.sorted() where accounts.count < maxKeystores {
            let path = dir + "/" + name
            guard let data = FileManager.default.contents(atPath: path), data.count <= Keystore.maxJSONBytes,
                  Keystore.address(json: Array(data)) != nil else { continue }
            let secret: [UInt8]
            do { secret = try Keystore.decrypt(json: Array(data), password: password) } catch {
                throw BenchError("cannot unlock \(path) with the password in the password file: \(error)")
            }
            let key = try Secp256k1.PrivateKey(bytes: secret)
            accounts.append(BenchAccount(key: key, address: Address(key.publicKey.ethereumAddress)))
        }
        guard !accounts.isEmpty else {
            throw BenchError("no keystore files in \(dir): give the folder of the chain's funded accounts")
        }
        return accounts
    }

    static func readPassword(_ file: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw BenchError("cannot read the password file \(file)")
        }
        guard data.count <= 4096 else { throw BenchError("password file \(file) is over 4096 bytes: is it the right file?") }
        var bytes = Array(data)
        while let last = bytes.last, last == 0x0a || last == 0x0d { bytes.removeLast() }
        return bytes
    }
}
