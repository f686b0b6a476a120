import Foundation
import QuorateCore
import QuorateState
@testable import QuorateStorage
import QuorateTestSupport
import Testing

@Suite("block export file")
struct BlockExportTests {
    typealias F = ChainFixture

    static func readAll(_ path: String) throws -> [(Block, CommitCertificate)] {
        let reader = try BlockExportReader(path: path)
        var out: [(Block, CommitCertificate)] = []
        while let pair = try reader.next() { out.append(pair) }
        return out
    }

    @Test("an export reads back block for block, certificate for certificate, under a header naming the chain")
    func roundTrip() throws {
        try withTemporaryDirectory { db in
            let dir = (db as NSString).deletingLastPathComponent
            let store = try ChainStore.initialize(path: dir + "/chain", genesis: F.genesis())
            let committed = try F.commitBlocks(1...6, to: store)
            let summary = try store.exportBlocks(to: dir + "/out.qexp", from: 2, to: 5)
            #expect(summary.first == 2 && summary.last == 5)
            let reader = try BlockExportReader(path: dir + "/out.qexp")
            #expect(reader.header == BlockExport.Header(chainId: F.chainId, genesisHash: store.genesisHash, first: 2, last: 5))
            let read = try Self.readAll(dir + "/out.qexp")
            #expect(read.map(\.0) == committed[1...4].map(\.executed.block))
            #expect(read.map(\.1) == committed[1...4].map(\.certificate))
            #expect(!FileManager.default.fileExists(atPath: dir + "/out.qexp.partial"))
            expectError(containing: "exists") { _ = try store.exportBlocks(to: dir + "/out.qexp") }
        }
    }

    @Test("every cut of the file and every flipped byte is refused with the record's offset, never read as a shorter chain")
    func damagedFiles() throws {
        try withTemporaryDirectory { db in
            let dir = (db as NSString).deletingLastPathComponent
            let store = try ChainStore.initialize(path: dir + "/chain", genesis: F.genesis())
            _ = try F.commitBlocks(1...3, to: store)
            _ = try store.exportBlocks(to: dir + "/out.qexp")
            let bytes = Array(FileManager.default.contents(atPath: dir + "/out.qexp")!)
            for cut in stride(from: 0, to: bytes.count, by: 7) {
                _ = FileManager.default.createFile(atPath: dir + "/cut", contents: Data(bytes[..<cut]))
                expectError(containing: "") { _ = try Self.readAll(dir + "/cut") }
            }
            for at in stride(from: 0, to: bytes.count, by: 5) {
                var flipped = bytes
                flipped[at] ^= 0x20
                _ = FileManager.default.createFile(atPath: dir + "/flip", contents: Data(flipped))
                expectError(containing: "") { _ = try Self.readAll(dir + "/flip") }
            }
            _ = FileManager.default.createFile(atPath: dir + "/cut", contents: Data(bytes.dropLast(2)))
            expectError(containing: "truncated") { _ = try Self.readAll(dir + "/cut") }
        }
    }

    @Test("a backup taken while blocks commit is one committed height, and verifies against its manifest")
    func backupIsConsistent() throws {
        try withTemporaryDirectory { db in
            let dir = (db as NSString).deletingLastPathComponent
            let store = try ChainStore.initialize(path: dir + "/chain", genesis: F.genesis())
            _ = try F.commitBlocks(1...3, to: store)
            let snapshotHead = store.head
            let manifest = try store.backupStore(to: dir + "/backup")
            _ = try F.commitBlocks(4...5, to: store)
            #expect(manifest.height == snapshotHead.height && manifest.headHash == snapshotHead.hash.hex)
            #expect(try ChainStore.verifyBackup(storePath: dir + "/backup", manifest: manifest).head == snapshotHead)
            var other = manifest
            other.checksum = String(repeating: "0", count: 64)
            expectError(containing: "does not match its manifest") {
                _ = try ChainStore.verifyBackup(storePath: dir + "/backup", manifest: other)
            }
        }
    }
}
