import Foundation
import QuorateCore
import QuorateState
@testable import QuorateStorage
import QuorateTestSupport
import Testing

@Suite("block hashes for BLOCKHASH")
struct RecentBlockHashesTests {
    typealias F = ChainFixture

    @Test("the last 256 hashes answer from memory after a reopen, older ones from their certificates, none above the head")
    func windowAfterReopen() throws {
        try withTemporaryDirectory { path in
            try ChainStore.initialize(path: path, genesis: F.genesis())
            var hashes: [Hash32] = []
            do {
                let store = try ChainStore(path: path)
                hashes = [store.genesisHash] + (try F.commitBlocks(1...300, to: store)).map(\.executed.block.hash)
            }
            let store = try ChainStore(path: path)
            let parent = try store.parentState(for: store.head)
            for height in 0...UInt64(300) {
                #expect(store.blockHash(at: height) == hashes[Int(height)], "height \(height)")
                #expect(parent.blockHashes(height) == hashes[Int(height)], "height \(height)")
            }
            #expect(store.blockHash(at: 301) == nil)
            // Inside the window no block is read (BLOCKHASH costs 20 gas); below it, the
            // certificate names the hash without its block.
            try store.db.delete(StoreKeys.block(100), sync: false)
            try store.db.delete(StoreKeys.block(20), sync: false)
            #expect(store.blockHash(at: 100) == hashes[100])
            #expect(store.blockHash(at: 20) == hashes[20])
        }
    }

    @Test("a slot answers only for the height it holds")
    func slotsKeepTheirHeight() {
        var recent = RecentBlockHashes()
        let a = Hash32([UInt8](repeating: 1, count: 32)), b = Hash32([UInt8](repeating: 2, count: 32))
        recent.record(a, at: 5)
        #expect(recent.hash(at: 5) == a)
        #expect(recent.hash(at: 5 + ChainStore.blockHashWindow) == nil)
        recent.record(b, at: 5 + ChainStore.blockHashWindow)
        #expect(recent.hash(at: 5) == nil)
        #expect(recent.hash(at: 5 + ChainStore.blockHashWindow) == b)
    }

    @Test("a header is read from its block without its transactions, and from the kept headers below a snapshot")
    func headersWithoutTransactions() throws {
        try withTemporaryDirectory { path in
            try ChainStore.initialize(path: path, genesis: F.genesis())
            let store = try ChainStore(path: path)
            let blocks = try F.commitBlocks(1...3, to: store).map(\.executed.block)
            for block in blocks {
                #expect(try store.header(at: block.height) == block.header)
                #expect(try Block.header(ofEncoded: block.encoded()) == block.header)
            }
            #expect(try store.header(at: 4) == nil)
            #expect(throws: RLPError.self) { try Block.header(ofEncoded: RLP.encode(.list([blocks[0].header.rlp]))) }
        }
    }
}

extension RecentBlockHashesTests {
    @Test("a state-synced store keeps the headers below its snapshot and reads their hashes after a reopen")
    func snapshotHeadersSurviveReopen() throws {
        try withTemporaryDirectory { base in
            try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
            try ChainStore.initialize(path: base + "/source", genesis: F.genesis())
            let source = try ChainStore(path: base + "/source")
            let committed = try F.commitBlocks(1...5, to: source)
            try ChainStore.initialize(path: base + "/synced", genesis: F.genesis())
            do {
                let synced = try ChainStore(path: base + "/synced")
                try synced.installStateSnapshot(block: committed[4].executed.block, certificate: committed[4].certificate,
                                                recentHeaders: committed.prefix(4).reversed().map(\.executed.block.header),
                                                validatorChanges: [], accounts: [])
                #expect(synced.blockHash(at: 2) == committed[1].executed.block.hash)
            }
            let reopened = try ChainStore(path: base + "/synced")
            #expect(reopened.blockHash(at: 0) == source.genesisHash)
            for (executed, _) in committed {
                #expect(reopened.blockHash(at: executed.block.height) == executed.block.hash, "height \(executed.block.height)")
            }
        }
    }
}
