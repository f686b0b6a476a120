import CLevelDB

/// One LevelDB database; the only place that touches the LevelDB C API.
///
/// `@unchecked Sendable` because LevelDB's `DB` is internally synchronized: get, put, delete,
/// write and iterators may be used from many threads at once without outside locking (LevelDB's
/// documented threading model). Every stored pointer is set in `init`, never reassigned, and
/// freed only in `deinit`, when no other thread can hold a reference.
public final class LevelDB: @unchecked Sendable {
    public let path: String
    private let db: OpaquePointer
    private let options: OpaquePointer
    private let cache: OpaquePointer
    private let filterPolicy: OpaquePointer
    private let readOptions: OpaquePointer
    private let writeOptions: OpaquePointer
    private let syncWriteOptions: OpaquePointer

    /// Opens (or creates) the database at `path`, with a bloom filter (10 bits per key: about 1%
    /// false positives, so a get for an absent key rarely touches disk) and an LRU block cache of
    /// `cacheBytes`. Paranoid checks are on: a damaged store fails here, not mid-block.
    /// Compression is off unless `compressBlocks` (kept for tests of stores written by older
    /// builds, which compressed with snappy): what the node stores is mostly hashes, signatures and tree nodes made
    /// of hashes, which snappy barely shrinks (3.5 % more disk without it), while compressing every
    /// flushed and compacted block cost CPU: one validator committed about 4 % more transfers per
    /// second without it (docs/benchmarks.md). Tables an older build wrote compressed stay
    /// readable: LevelDB records the compression of each block.
    /// LevelDB's memtable (`write_buffer_size`; its default is 4 MiB). Larger, fewer level-0
    /// tables are flushed and merged: with four validators at the maximum rate each node's CPU
    /// outside the counted stages fell from about 10.5 to 7 µs per transfer (16 MiB) or 5 µs
    /// (32 MiB); 32 MiB cost each node about 25 MB more memory, near the 200 MB target
    /// (docs/benchmarks.md, "Issue 13, sixth session"). Up to two memtables are held at once.
    public static let writeBufferBytes = 16 << 20
    /// Largest table a compaction writes (`max_file_size`; default 2 MiB): fewer, larger files
    /// for the larger level-0 tables to merge into. Alone it changed nothing measurable.
    public static let maxFileBytes = 8 << 20

    public init(path: String, createIfMissing: Bool = true, cacheBytes: Int = 32 << 20, compressBlocks: Bool = false) throws {
        precondition(cacheBytes >= 0, "cache size cannot be negative")
        self.path = path
        options = leveldb_options_create()
        cache = leveldb_cache_create_lru(cacheBytes)
        filterPolicy = leveldb_filterpolicy_create_bloom(10)
        leveldb_options_set_create_if_missing(options, createIfMissing ? 1 : 0)
        leveldb_options_set_paranoid_checks(options, 1)
        leveldb_options_set_cache(options, cache)
        leveldb_options_set_filter_policy(options, filterPolicy)
        leveldb_options_set_compression(options, Int32(compressBlocks ? leveldb_snappy_compression : leveldb_no_compression))
        leveldb_options_set_write_buffer_size(options, Self.writeBufferBytes)
        leveldb_options_set_max_file_size(options, Self.maxFileBytes)
        readOptions = leveldb_readoptions_create()
        leveldb_readoptions_set_verify_checksums(readOptions, 1)
        writeOptions = leveldb_writeoptions_create()
        syncWriteOptions = leveldb_writeoptions_create()
        leveldb_writeoptions_set_sync(syncWriteOptions, 1)

        var error: UnsafeMutablePointer<CChar>? = nil
        let handle = leveldb_open(options, path, &error)
        if let failure = Self.takeError(error, operation: "open \(path)") {
            Self.destroyOptions(options, cache, filterPolicy, readOptions, writeOptions, syncWriteOptions)
            throw failure
        }
        guard let handle else { preconditionFailure("leveldb_open returned neither a handle nor an error") }
        db = handle
    }

    deinit {
        leveldb_close(db)
        // Options, cache and filter policy must outlive the database: freed after the close.
        Self.destroyOptions(options, cache, filterPolicy, readOptions, writeOptions, syncWriteOptions)
    }

    /// The value under `key`, or nil.
    public func get(_ key: [UInt8]) throws -> [UInt8]? { try get(key, options: readOptions) }

    private func get(_ key: [UInt8], options readOptions: OpaquePointer) throws -> [UInt8]? {
        var length = 0
        var error: UnsafeMutablePointer<CChar>? = nil
        let value = key.withCChars { leveldb_get(db, readOptions, $0, $1, &length, &error) }
        if let failure = Self.takeError(error, operation: "read from \(path)") { throw failure }
        guard let value else { return nil }
        defer { leveldb_free(value) }
        return value.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }

    /// `sync: true` waits for fsync: use it where a crash must not lose the write (hard state,
    /// block commits).
    public func put(_ key: [UInt8], _ value: [UInt8], sync: Bool) throws {
        var error: UnsafeMutablePointer<CChar>? = nil
        key.withCChars { k, kl in
            value.withCChars { v, vl in leveldb_put(db, writeOptions(sync), k, kl, v, vl, &error) }
        }
        if let failure = Self.takeError(error, operation: "write to \(path)") { throw failure }
    }

    public func delete(_ key: [UInt8], sync: Bool) throws {
        var error: UnsafeMutablePointer<CChar>? = nil
        key.withCChars { leveldb_delete(db, writeOptions(sync), $0, $1, &error) }
        if let failure = Self.takeError(error, operation: "delete from \(path)") { throw failure }
    }

    /// Applies every operation of `batch` atomically, in order.
    public func write(_ batch: WriteBatch, sync: Bool) throws {
        let cBatch = leveldb_writebatch_create()
        defer { leveldb_writebatch_destroy(cBatch) }
        for operation in batch.operations {
            switch operation {
            case .put(let key, let value):
                key.withCChars { k, kl in value.withCChars { v, vl in leveldb_writebatch_put(cBatch, k, kl, v, vl) } }
            case .delete(let key):
                key.withCChars { leveldb_writebatch_delete(cBatch, $0, $1) }
            }
        }
        var error: UnsafeMutablePointer<CChar>? = nil
        leveldb_write(db, writeOptions(sync), cBatch, &error)
        if let failure = Self.takeError(error, operation: "write batch to \(path)") { throw failure }
    }

    /// Visits the keys that start with `prefix`, in ascending byte order, from the first key
    /// >= `from` (when given), at most `limit` of them; `body` returns false to stop early.
    /// Keys are passed whole, prefix included. The iteration reads one consistent snapshot.
    /// With `snapshot`, reads the database as it was when the snapshot was taken.
    public func iterate(
        prefix: [UInt8], from start: [UInt8]? = nil, limit: Int = .max, snapshot: Snapshot? = nil,
        _ body: (_ key: [UInt8], _ value: [UInt8]) throws -> Bool
    ) throws {
        precondition(limit >= 0, "limit cannot be negative")
        guard limit > 0 else { return }
        precondition(snapshot.map { $0.database === self } ?? true, "a snapshot reads only the database it was taken of")
        let iterator = leveldb_create_iterator(db, snapshot?.readOptions ?? readOptions)
        defer { leveldb_iter_destroy(iterator) }
        let seekKey = start.map { $0.lexicographicallyPrecedes(prefix) ? prefix : $0 } ?? prefix
        seekKey.withCChars { leveldb_iter_seek(iterator, $0, $1) }
        var visited = 0
        while visited < limit, leveldb_iter_valid(iterator) != 0 {
            let key = Self.bytes { leveldb_iter_key(iterator, &$0) }
            guard key.starts(with: prefix) else { break }
            let value = Self.bytes { leveldb_iter_value(iterator, &$0) }
            visited += 1
            guard try body(key, value) else { return }
            leveldb_iter_next(iterator)
        }
        var error: UnsafeMutablePointer<CChar>? = nil
        leveldb_iter_get_error(iterator, &error)
        if let failure = Self.takeError(error, operation: "iterate over \(path)") { throw failure }
    }

    /// A consistent read view of the whole database at this instant: writes committed later are
    /// invisible through it. Released when the last reference goes.
    public final class Snapshot: @unchecked Sendable {
        let database: LevelDB
        private let snapshot: OpaquePointer
        let readOptions: OpaquePointer

        fileprivate init(_ database: LevelDB) {
            self.database = database
            snapshot = leveldb_create_snapshot(database.db)
            readOptions = leveldb_readoptions_create()
            leveldb_readoptions_set_verify_checksums(readOptions, 1)
            // A full scan (a backup) should not evict the node's working set from the block cache.
            leveldb_readoptions_set_fill_cache(readOptions, 0)
            leveldb_readoptions_set_snapshot(readOptions, snapshot)
        }

        /// The value under `key` as of the snapshot.
        public func get(_ key: [UInt8]) throws -> [UInt8]? { try database.get(key, options: readOptions) }

        deinit {
            leveldb_readoptions_destroy(readOptions)
            leveldb_release_snapshot(database.db, snapshot)
        }
    }

    public func snapshot() -> Snapshot { Snapshot(self) }

    /// Asks LevelDB to compact the whole key range now (after a large delete, such as pruning).
    public func compactAll() { leveldb_compact_range(db, nil, 0, nil, 0) }

    /// `iterate` collected into an array; `limit` bounds the memory it takes.
    public func scan(prefix: [UInt8], from start: [UInt8]? = nil, limit: Int) throws -> [(key: [UInt8], value: [UInt8])] {
        var out: [(key: [UInt8], value: [UInt8])] = []
        try iterate(prefix: prefix, from: start, limit: limit) { key, value in
            out.append((key, value))
            return true
        }
        return out
    }

    /// A LevelDB property such as "leveldb.stats" or "leveldb.approximate-memory-usage", for
    /// metrics and diagnostics; nil when LevelDB does not know the name.
    public func property(_ name: String) -> String? {
        guard let value = leveldb_property_value(db, name) else { return nil }
        defer { leveldb_free(value) }
        return String(cString: value)
    }

    private func writeOptions(_ sync: Bool) -> OpaquePointer { sync ? syncWriteOptions : writeOptions }

    /// Turns LevelDB's malloc'd error string into a StorageError, freeing it.
    private static func takeError(_ error: UnsafeMutablePointer<CChar>?, operation: String) -> StorageError? {
        guard let error else { return nil }
        defer { leveldb_free(error) }
        return StorageError(leveldbMessage: String(cString: error), operation: operation)
    }

    /// Copies a (pointer, length) that LevelDB lends, valid only until the iterator moves.
    private static func bytes(_ read: (inout Int) -> UnsafePointer<CChar>?) -> [UInt8] {
        var length = 0
        guard let pointer = read(&length), length > 0 else { return [] }
        return UnsafeRawBufferPointer(start: pointer, count: length).map { $0 }
    }

    private static func destroyOptions(
        _ options: OpaquePointer, _ cache: OpaquePointer, _ filterPolicy: OpaquePointer,
        _ readOptions: OpaquePointer, _ writeOptions: OpaquePointer, _ syncWriteOptions: OpaquePointer
    ) {
        leveldb_options_destroy(options)
        leveldb_cache_destroy(cache)
        leveldb_filterpolicy_destroy(filterPolicy)
        leveldb_readoptions_destroy(readOptions)
        leveldb_writeoptions_destroy(writeOptions)
        leveldb_writeoptions_destroy(syncWriteOptions)
    }
}

extension Array where Element == UInt8 {
    /// The bytes as LevelDB's (const char *, size_t); the pointer may be nil for an empty array,
    /// which LevelDB accepts with a zero length.
    fileprivate func withCChars<R>(_ body: (UnsafePointer<CChar>?, Int) throws -> R) rethrows -> R {
        try withUnsafeBytes { raw in try body(raw.baseAddress?.assumingMemoryBound(to: CChar.self), raw.count) }
    }
}
