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
            // Inside the window nothing is read from disk (BLOCKHASH costs 20 gas): with the
            // block, its header and its certificate gone, the hash still answers. Below it, the
            // certificate names the hash without the block.
            for key in [StoreKeys.block(100), StoreKeys.header(100), StoreKeys.certificate(100),
                        StoreKeys.block(20), StoreKeys.header(20)] {
                try store.db.delete(key, sync: false)
            }
            #expect(store.blockHash(at: 100) == hashes[100])
            #expect(store.blockHash(at: 20) == hashes[20])
            try store.db.delete(StoreKeys.certificate(20), sync: false)
            #expect(store.blockHash(at: 20) == nil)
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

    @Test("a header is kept beside its block, and read from the block without its transactions where a schema-2 store has none")
    func headersWithoutTransactions() throws {
        try withTemporaryDirectory { path in
            try ChainStore.initialize(path: path, genesis: F.genesis())
            let store = try ChainStore(path: path)
            let blocks = try F.commitBlocks(1...3, to: store).map(\.executed.block)
            for block in blocks {
                #expect(try store.db.get(StoreKeys.header(block.height)) == block.header.encoded())
                #expect(try store.header(at: block.height) == block.header)
                #expect(try Block.header(ofEncoded: block.encoded()) == block.header)
                try store.db.delete(StoreKeys.header(block.height), sync: false)
                #expect(try store.header(at: block.height) == block.header)
            }
            #expect(try store.header(at: 4) == nil)
            #expect(throws: RLPError.self) { try Block.header(ofEncoded: RLP.encode(.list([blocks[0].header.rlp]))) }
        }
    }
}

extension RecentBlockHashesTests {
    @Test("block pruning keeps the 255 blocks below the last written tree, which a restart's first block reads with BLOCKHASH")
    func pruningKeepsTheRebuildWindow() throws {
        try withTemporaryDirectory { path in
            try ChainStore.initialize(path: path, genesis: F.genesis())
            let store = try ChainStore(path: path)
            try store.configureStatePruning(true)
            store.configureStateFlush(StateFlushPolicy(intervalHeights: 16, recentHeights: 128))
            _ = try F.commitBlocks(1...300, to: store)
            #expect(store.stateFlushedHeight == 288)
            while try store.pruneBlocksStep(retention: 256) > 0 {}
            // head - retention would be 44; the rebuild of block 289 reads back to 33.
            #expect(try store.oldestBlockBody() == 288 - 255)
            #expect(try store.certificate(at: 33) != nil && store.header(at: 33) != nil)
            #expect(try store.header(at: 32) == nil && store.certificate(at: 32) == nil)
        }
    }

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
