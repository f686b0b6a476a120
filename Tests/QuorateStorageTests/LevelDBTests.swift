import Foundation
import QuorateStorage
import Testing

/// A fresh directory per test, removed afterwards.
@discardableResult
func withTemporaryDirectory<R>(_ body: (String) throws -> R) throws -> R {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("quorate-leveldb-\(ProcessInfo.processInfo.globallyUniqueString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path + "/db")
}

@Suite("LevelDB wrapper")
struct LevelDBTests {
    @Test("put, get and delete round-trip; an empty value is not an absent one")
    func putGetDelete() throws {
        try withTemporaryDirectory { path in
            let db = try LevelDB(path: path)
            #expect(try db.get([1]) == nil)
            try db.put([1], [10, 11], sync: false)
            try db.put([2], [], sync: true)
            #expect(try db.get([1]) == [10, 11])
            #expect(try db.get([2]) == [])
            try db.put([1], [12], sync: false)
            #expect(try db.get([1]) == [12])
            try db.delete([1], sync: false)
            #expect(try db.get([1]) == nil)
            try db.delete([99], sync: false)  // deleting an absent key is not an error
            let big = [UInt8](repeating: 0xab, count: 1 << 20)
            try db.put([3], big, sync: false)
            #expect(try db.get([3]) == big)
        }
    }

    @Test("a write batch applies its operations in order, and counts them")
    func batchApplies() throws {
        try withTemporaryDirectory { path in
            let db = try LevelDB(path: path)
            try db.put([9], [9], sync: false)
            var batch = WriteBatch()
            #expect(batch.isEmpty)
            batch.put([1], [1])
            batch.delete([1])          // put then delete: absent
            batch.delete([2])
            batch.put([2], [2])        // delete then put: present
            batch.delete([9])
            batch.put([3], [3, 3, 3])
            #expect(batch.count == 6)
            #expect(batch.approximateBytes >= 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 3)
            try db.write(batch, sync: true)
            #expect(try db.get([1]) == nil)
            #expect(try db.get([2]) == [2])
            #expect(try db.get([3]) == [3, 3, 3])
            #expect(try db.get([9]) == nil)
        }
    }

    @Test("readers never see half a batch: two keys written together always read equal in a snapshot")
    func batchAtomicityUnderConcurrentReads() async throws {
        try await withTemporaryDirectoryAsync { path in
            let db = try LevelDB(path: path)
            var first = WriteBatch()
            first.put([7, 0], [0, 0])
            first.put([7, 1], [0, 0])
            try db.write(first, sync: false)
            let rounds = 2000
            try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask {
                    for round in 1...rounds {
                        var batch = WriteBatch()
                        let value = [UInt8(round >> 8), UInt8(round & 0xff)]
                        batch.put([7, 0], value)
                        batch.put([7, 1], value)
                        try db.write(batch, sync: false)
                    }
                    return 0
                }
                group.addTask {
                    var mismatches = 0
                    for _ in 0..<rounds {
                        let pair = try db.scan(prefix: [7], limit: 2)
                        if pair.count != 2 || pair[0].value != pair[1].value { mismatches += 1 }
                    }
                    return mismatches
                }
                var mismatches = 0
                for try await count in group { mismatches += count }
                #expect(mismatches == 0)
            }
            let last = [UInt8(rounds >> 8), UInt8(rounds & 0xff)]
            #expect(try db.get([7, 0]) == last)
            #expect(try db.get([7, 1]) == last)
        }
    }

    @Test("prefix iteration visits only the prefix, in byte order, from a start key, within a limit")
    func prefixIteration() throws {
        try withTemporaryDirectory { path in
            let db = try LevelDB(path: path)
            let inside: [[UInt8]] = [[1], [1, 0], [1, 0, 5], [1, 1], [1, 0x80], [1, 0xff], [1, 0xff, 0xff]]
            let outside: [[UInt8]] = [[0], [0, 0xff], [2], [2, 0], [0xff]]
            // Written in a scrambled order; LevelDB must hand them back sorted.
            for (index, key) in (inside + outside).enumerated().sorted(by: { ($0.offset * 7) % 12 < ($1.offset * 7) % 12 }) {
                try db.put(key, [UInt8(index)], sync: false)
            }
            #expect(try db.scan(prefix: [1], limit: 100).map(\.key) == inside)
            #expect(try db.scan(prefix: [1], limit: 3).map(\.key) == Array(inside.prefix(3)))
            #expect(try db.scan(prefix: [1], from: [1, 1], limit: 100).map(\.key) == [[1, 1], [1, 0x80], [1, 0xff], [1, 0xff, 0xff]])
            #expect(try db.scan(prefix: [1], from: [0, 9], limit: 100).map(\.key) == inside)  // before the prefix: start at it
            #expect(try db.scan(prefix: [1], from: [2], limit: 100).isEmpty)                  // past the prefix: nothing
            #expect(try db.scan(prefix: [3], limit: 100).isEmpty)
            #expect(try db.scan(prefix: [], limit: 100).count == inside.count + outside.count)
            #expect(try db.scan(prefix: [1], limit: 0).isEmpty)
            var visited: [[UInt8]] = []
            try db.iterate(prefix: [1]) { key, _ in
                visited.append(key)
                return visited.count < 2
            }
            #expect(visited == [[1], [1, 0]])
        }
    }

    @Test("data survives closing and reopening the database")
    func reopenKeepsData() throws {
        try withTemporaryDirectory { path in
            do {
                let db = try LevelDB(path: path)
                var batch = WriteBatch()
                for i in 0..<500 { batch.put([5, UInt8(i >> 8), UInt8(i & 0xff)], [UInt8(i & 0xff)]) }
                try db.write(batch, sync: true)
                try db.put([6], [6], sync: true)
            }
            let reopened = try LevelDB(path: path, createIfMissing: false)
            #expect(try reopened.get([6]) == [6])
            #expect(try reopened.scan(prefix: [5], limit: 1000).count == 500)
            #expect(try reopened.get([5, 1, 0x2c]) == [0x2c])
        }
    }

    @Test("tables an older build wrote with snappy compression read back after the upgrade to uncompressed")
    func compressedTablesStayReadable() throws {
        try withTemporaryDirectory { path in
            // 8 MB of compressible values: more than the 4 MB write buffer, so tables are
            // written (compressed) while the old settings are in force.
            let value = { (i: Int) in [UInt8](repeating: UInt8(i & 0xff), count: 4096) }
            do {
                let old = try LevelDB(path: path, compressBlocks: true)
                for chunk in stride(from: 0, to: 2_000, by: 100) {
                    var batch = WriteBatch()
                    for i in chunk..<(chunk + 100) { batch.put([7, UInt8(i >> 8), UInt8(i & 0xff)], value(i)) }
                    try old.write(batch, sync: false)
                }
            }
            // Opening again turns the log into level-0 tables, still compressed: the test does not
            // depend on the background flush having run before the close (it did not, under load).
            do { _ = try LevelDB(path: path, createIfMissing: false, compressBlocks: true) }
            let tables = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".ldb") }
            #expect(!tables.isEmpty)
            let upgraded = try LevelDB(path: path, createIfMissing: false)
            for i in [0, 1, 999, 1_500, 1_999] { #expect(try upgraded.get([7, UInt8(i >> 8), UInt8(i & 0xff)]) == value(i)) }
            #expect(try upgraded.scan(prefix: [7], limit: 5_000).count == 2_000)
        }
    }

    @Test("a second open of the same path fails with a message naming the lock and what to check")
    func secondOpenIsLocked() throws {
        try withTemporaryDirectory { path in
            let first = try LevelDB(path: path)
            #expect {
                _ = try LevelDB(path: path)
            } throws: { error in
                guard let error = error as? StorageError else { return false }
                return error.kind == .locked
                    && error.description.contains("database is locked by another process: is another quorate-node running on this data directory?")
                    && error.description.contains(path)
            }
            // Still usable, and the lock is released with the handle.
            try first.put([1], [1], sync: false)
            withExtendedLifetime(first) {}
        }
    }

    @Test("opening a missing database without create-if-missing says to run init")
    func missingDatabase() throws {
        try withTemporaryDirectory { path in
            #expect {
                _ = try LevelDB(path: path, createIfMissing: false)
            } throws: { error in
                guard let error = error as? StorageError else { return false }
                return error.kind == .missing && error.description.contains("quorate-node init")
            }
        }
    }

    @Test("LevelDB properties are readable for diagnostics")
    func properties() throws {
        try withTemporaryDirectory { path in
            let db = try LevelDB(path: path)
            #expect(db.property("leveldb.stats") != nil)
            #expect(db.property("no.such.property") == nil)
        }
    }
}

@discardableResult
func withTemporaryDirectoryAsync<R>(_ body: (String) async throws -> R) async throws -> R {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("quorate-leveldb-\(ProcessInfo.processInfo.globallyUniqueString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path + "/db")
}
