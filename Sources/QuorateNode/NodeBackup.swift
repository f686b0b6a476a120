import Foundation
import QuorateConsensus
import QuorateCrypto
import QuorateStorage

/// Online backup (`admin_backup`) and `quorate-node restore`: a backup directory holds `chain/` (a
/// LevelDB copied from a snapshot), `keys/` (the encrypted keystores, as they are on disk) and
/// `manifest.json`, written last.
enum NodeBackup {
    static let keyFiles = ["validator.json", "node.json"]

    /// Writes a backup of the running (or stopped) node into the new directory `dir`, under a
    /// temporary name that is renamed into place once complete and synced.
    static func create(store: ChainStore, config: NodeConfig, to dir: String) throws -> BackupManifest {
        let fm = FileManager.default
        guard !fm.fileExists(atPath: dir) else { throw StoreError("\(dir) exists: back up into a new directory") }
        let staging = dir + ".partial"
        try? fm.removeItem(atPath: staging)
        do {
            try fm.createDirectory(atPath: staging + "/keys", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            var manifest = try store.backupStore(to: staging + "/chain")
            for name in keyFiles {
                guard let bytes = fm.contents(atPath: config.keysDir + "/" + name) else { continue }
                try write(Array(bytes), to: staging + "/keys/" + name, mode: 0o600)
                manifest.files["keys/" + name] = Hex.encode(SHA256.hash(Array(bytes)))
            }
            try write(manifest.encoded(), to: staging + "/manifest.json", mode: 0o644)
            guard rename(staging, dir) == 0 else {
                throw StoreError("cannot rename \(staging) to \(dir): \(String(cString: strerror(errno)))")
            }
            return manifest
        } catch {
            try? fm.removeItem(atPath: staging)
            throw error
        }
    }

    /// Writes and fsyncs a file, so that the manifest never names content that is not on disk.
    static func write(_ bytes: [UInt8], to path: String, mode: Int) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: mode]),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw StoreError("cannot create \(path)")
        }
        defer { try? handle.close() }
        do {
            try handle.write(contentsOf: Data(bytes))
            try handle.synchronize()
        } catch {
            throw StoreError("cannot write \(path) (\(error.localizedDescription)): is the disk full?")
        }
    }

    static func readManifest(_ dir: String) throws -> BackupManifest {
        let path = dir + "/manifest.json"
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw StoreError("\(dir) has no manifest.json: it is not a complete backup (copied or interrupted before it finished)")
        }
        return try BackupManifest(decoding: Array(bytes), path: path)
    }

    /// The height and last signed height of the store at `path`, if there is one.
    static func existingStore(_ path: String) throws -> (head: UInt64, signed: UInt64?)? {
        guard FileManager.default.fileExists(atPath: path + "/CURRENT") else { return nil }
        let store: ChainStore
        do { store = try ChainStore(path: path) } catch let error as StorageError where error.kind == .locked {
            throw StoreError("the store at \(path) is in use: stop the node before restoring")
        }
        let signed = try store.consensusState().map { try HardState(decoding: $0).height }
        return (store.head.height, signed)
    }
}
