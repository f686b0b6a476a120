import Foundation
import QuorateCore
import QuorateCrypto

/// What a backup holds, written last (manifest.json) so that a backup copied before it finished
/// has none and is refused. `checksum` is a SHA-256 chain over every (key, value) of the copied
/// store in key order: `restore` recomputes it, so a damaged or partial copy is caught.
public struct BackupManifest: Codable, Equatable, Sendable {
    public static let formatName = "quorate-backup"
    public static let currentVersion = 1

    public var format = BackupManifest.formatName
    public var version = BackupManifest.currentVersion
    public var schema: UInt64
    public var chainId: UInt64
    public var genesisHash: String
    public var height: UInt64
    public var headHash: String
    public var entries: UInt64
    public var bytes: UInt64
    public var checksum: String
    /// SHA-256 of each file copied beside the store (the encrypted keystores), by name.
    public var files: [String: String] = [:]

    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return Array(try! encoder.encode(self)) + [0x0a]
    }

    public init(decoding bytes: [UInt8], path: String) throws {
        do { self = try JSONDecoder().decode(BackupManifest.self, from: Data(bytes)) } catch {
            throw StoreError("\(path) is not a Quorate backup manifest (\(error)): the backup is damaged")
        }
        guard format == BackupManifest.formatName else { throw StoreError("\(path) is not a Quorate backup manifest") }
        guard version == BackupManifest.currentVersion else {
            throw StoreError("\(path) is a backup of format version \(version); this quorate-node reads version \(BackupManifest.currentVersion)")
        }
    }

    init(schema: UInt64, chainId: UInt64, genesisHash: String, height: UInt64, headHash: String,
         entries: UInt64, bytes: UInt64, checksum: String) {
        self.schema = schema
        self.chainId = chainId
        self.genesisHash = genesisHash
        self.height = height
        self.headHash = headHash
        self.entries = entries
        self.bytes = bytes
        self.checksum = checksum
    }
}

/// The running checksum of a store's contents and their count.
struct StoreDigest {
    private var digest = [UInt8](repeating: 0, count: 32)
    private var pending: [UInt8] = []
    private(set) var entries: UInt64 = 0
    private(set) var bytes: UInt64 = 0

    mutating func add(_ key: [UInt8], _ value: [UInt8]) {
        pending.appendBigEndian(UInt32(key.count))
        pending += key
        pending.appendBigEndian(UInt32(value.count))
        pending += value
        entries += 1
        bytes += UInt64(key.count + value.count)
        if pending.count >= 1 << 20 { fold() }
    }

    private mutating func fold() {
        digest = SHA256.hash(digest + pending)
        pending.removeAll(keepingCapacity: true)
    }

    mutating func finish() -> String {
        fold()
        return Hex.encode(digest)
    }

    /// Digest of every entry of `db` (at `snapshot` when given).
    static func of(_ db: LevelDB, snapshot: LevelDB.Snapshot? = nil) throws -> StoreDigest {
        var d = StoreDigest()
        try db.iterate(prefix: [], snapshot: snapshot) { key, value in
            d.add(key, value)
            return true
        }
        return d
    }
}

extension ChainStore {
    /// Copies the store as it stands at one instant (a LevelDB snapshot, so always at one
    /// committed block: commits are atomic batches) into a new LevelDB at `path`, while the node
    /// goes on committing. Returns the manifest for the caller to write once everything else is in
    /// place.
    public func backupStore(to path: String) throws -> BackupManifest {
        guard !FileManager.default.fileExists(atPath: path) else { throw StoreError("\(path) exists: back up into a new directory") }
        let snapshot = db.snapshot()
        guard let headBytes = try snapshot.get(StoreKeys.metaHead), let height = StoreKeys.uint64(headBytes),
              let headBlock = try snapshot.get(StoreKeys.block(height)).map({ try Block(decoding: $0) }) else {
            throw StoreError("the store has no head block: it is damaged")
        }
        var digest = StoreDigest()
        do {
            let copy = try LevelDB(path: path, createIfMissing: true)
            var batch = WriteBatch()
            try db.iterate(prefix: [], snapshot: snapshot) { key, value in
                digest.add(key, value)
                batch.put(key, value)
                if batch.approximateBytes >= 4 << 20 {
                    try copy.write(batch, sync: false)
                    batch = WriteBatch()
                }
                return true
            }
            try copy.write(batch, sync: true)
        } catch let error as StorageError {
            throw StoreError("cannot write the backup at \(path) (\(error)): is the disk full? The node's own store is untouched")
        }
        let entries = digest.entries, bytes = digest.bytes
        return BackupManifest(schema: ChainStore.schemaVersion, chainId: chainId, genesisHash: genesisHash.hex,
                              height: height, headHash: headBlock.hash.hex, entries: entries, bytes: bytes,
                              checksum: digest.finish())
    }

    /// Checks a copied store against its manifest: every entry's checksum, then the chain checks
    /// `ChainStore.init` makes (schema, chain id, genesis, head block against its certificate).
    public static func verifyBackup(storePath: String, manifest: BackupManifest) throws -> ChainStore {
        let store: ChainStore
        do { store = try ChainStore(path: storePath) } catch {
            throw StoreError("the backup's store cannot be opened (\(error)): it is damaged or was copied mid-write")
        }
        do {
            var digest = try StoreDigest.of(store.db)
            let sum = digest.finish()
            guard digest.entries == manifest.entries, sum == manifest.checksum else {
                throw StoreError("the backup's store does not match its manifest (\(digest.entries) entries, checksum \(sum.prefix(16))...; the manifest says \(manifest.entries), \(manifest.checksum.prefix(16))...): it was copied before it was complete, or damaged")
            }
            guard store.chainId == manifest.chainId, store.genesisHash.hex == manifest.genesisHash,
                  store.head.height == manifest.height, store.head.hash.hex == manifest.headHash else {
                throw StoreError("the backup's store is chain \(store.chainId) at height \(store.head.height), but its manifest says chain \(manifest.chainId) at height \(manifest.height): the backup is damaged")
            }
            return store
        } catch let error as StorageError {
            throw StoreError("the backup's store cannot be read (\(error)): it is damaged or was copied mid-write")
        }
    }
}
