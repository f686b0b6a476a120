import Foundation
import QuorateCore
import QuorateState
@testable import QuorateStorage
import QuorateTestSupport
import Testing

@Suite("state tree written every few heights")
struct StateFlushTests {
    typealias F = ChainFixture

    static func openDeferred(_ path: String, intervalHeights: UInt64 = 4, recentHeights: UInt64 = 128) throws -> ChainStore {
        let store = try ChainStore(path: path)
        try store.configureStatePruning(true)
        store.configureStateFlush(StateFlushPolicy(intervalHeights: intervalHeights, recentHeights: recentHeights))
        return store
    }

    static func nodesOnDisk(_ store: ChainStore) throws -> Set<Hash32> {
        var out: Set<Hash32> = []
        try store.db.iterate(prefix: [UInt8(ascii: "n")]) { key, _ in out.insert(Hash32(Array(key.dropFirst()))); return true }
        return out
    }

    /// What block h leaves: carol holds h(h+1), alice's nonce is 2h.
    static func expectStateOfBlock(_ h: UInt64, in store: ChainStore, root: Hash32) throws {
        #expect(try store.account(F.carolAddress, stateRoot: root)?.balance == UInt256(h * (h + 1)))
        #expect(try store.account(F.address(F.alice), stateRoot: root)?.nonce == 2 * h)
    }

    @Test("a node superseded between two writes of the tree never reaches the disk, and every recent height still reads")
    func supersededNodesStayOffDisk() throws {
        try withTemporaryDirectory { base in
            try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
            try ChainStore.initialize(path: base + "/a", genesis: F.genesis())
            try ChainStore.initialize(path: base + "/b", genesis: F.genesis())
            let everyHeight = try ChainStore(path: base + "/a")
            try everyHeight.configureStatePruning(true)
            let deferred = try Self.openDeferred(base + "/b")
            let committed = try F.commitBlocks(1...10, to: everyHeight)
            _ = try F.commitBlocks(1...10, to: deferred)
            #expect(deferred.head.hash == everyHeight.head.hash)
            #expect(deferred.stateFlushedHeight == 8)
            let written = try Self.nodesOnDisk(deferred)
            #expect(written.count < (try Self.nodesOnDisk(everyHeight)).count)
            // Carol's leaf of block 5 was superseded at 6, before the write at 8: memory only.
            let carolKey = Hash32.keccak(F.carolAddress.bytes).bytes
            let carolLeaves = committed.map { $0.executed.stateUpdate.newNodes.first { Array($0.encoded[1..<33]) == carolKey }!.hash }
            #expect(!written.contains(carolLeaves[4]))
            #expect(written.contains(carolLeaves[3]) && written.contains(carolLeaves[7]), "the leaves of the written heights 4 and 8")
            for (executed, _) in committed {
                try Self.expectStateOfBlock(executed.block.height, in: deferred, root: executed.block.header.stateRoot)
            }
        }
    }

    @Test("after a crash between writes the store executes the blocks after the last written tree again and reaches the same state")
    func crashRebuildsTheUnwrittenHeights() throws {
        try withTemporaryDirectory { path in
            try ChainStore.initialize(path: path, genesis: F.genesis())
            var roots: [UInt64: Hash32] = [:]
            do {
                let store = try Self.openDeferred(path)
                for (executed, _) in try F.commitBlocks(1...11, to: store) { roots[executed.block.height] = executed.block.header.stateRoot }
                // Nothing flushes on the way out: the process died.
            }
            let onDiskBefore = try { try Self.nodesOnDisk(try ChainStore(path: path)) }()
            do {
                let reopened = try Self.openDeferred(path)
                #expect(reopened.head.height == 11 && reopened.stateFlushedHeight == 8)
                #expect(try Self.nodesOnDisk(reopened) == onDiskBefore, "rebuilding writes nothing")
                for h in UInt64(8)...11 { try Self.expectStateOfBlock(h, in: reopened, root: roots[h]!) }
                // The chain goes on, and the next write makes the rebuilt heights durable.
                _ = try F.commitBlocks(12...13, to: reopened)
                #expect(reopened.stateFlushedHeight == 12)
            }
            let again = try ChainStore(path: path)
            try Self.expectStateOfBlock(13, in: again, root: again.head.stateRoot)
        }
    }

    @Test("a clean stop writes the unwritten tree, so the next start executes nothing again")
    func cleanStopWritesTheTree() throws {
        try withTemporaryDirectory { path in
            try ChainStore.initialize(path: path, genesis: F.genesis())
            do {
                let store = try Self.openDeferred(path)
                _ = try F.commitBlocks(1...6, to: store)
                #expect(store.stateFlushedHeight == 4)
                try store.flushState()
                #expect(store.stateFlushedHeight == 6)
            }
            let reopened = try ChainStore(path: path)
            #expect(reopened.stateFlushedHeight == 6)
            #expect(reopened.unflushedState.withLock { $0.isEmpty })
            try Self.expectStateOfBlock(6, in: reopened, root: reopened.head.stateRoot)
        }
    }

    @Test("a block missing after the last written tree is a damaged store, refused with what to do")
    func missingBlockRefusesTheStore() throws {
        try withTemporaryDirectory { path in
            try ChainStore.initialize(path: path, genesis: F.genesis())
            do {
                let store = try Self.openDeferred(path)
                _ = try F.commitBlocks(1...7, to: store)
                try store.db.delete(StoreKeys.block(6), sync: true)
            }
            expectError(containing: "block 6 is missing") { _ = try ChainStore(path: path) }
        }
    }

    @Test("pruning with writes every 4 heights deletes only what retained roots no longer hold, and keeps the blocks a restart executes again")
    func pruningWithDeferredWrites() throws {
        try withTemporaryDirectory { path in
            try ChainStore.initialize(path: path, genesis: F.genesis())
            var roots: [UInt64: Hash32] = [:]
            do {
                let store = try Self.openDeferred(path, recentHeights: 6)
                for (executed, _) in try F.commitBlocks(1...30, to: store) { roots[executed.block.height] = executed.block.header.stateRoot }
                let before = try Self.nodesOnDisk(store).count
                while try store.pruneStateStep(retention: 6) > 0 {}
                #expect(try Self.nodesOnDisk(store).count < before)
                for h in UInt64(24)...30 { try Self.expectStateOfBlock(h, in: store, root: roots[h]!) }
                expectError(containing: "missing") { _ = try store.account(F.carolAddress, stateRoot: roots[10]!) }
                // No block retention would reach past the last write (28): blocks 28 to 30 stay.
                while try store.pruneBlocksStep(retention: 0) > 0 {}
                #expect(try store.oldestBlockBody() == 28)
            }
            let reopened = try Self.openDeferred(path, recentHeights: 6)
            for h in UInt64(28)...30 { try Self.expectStateOfBlock(h, in: reopened, root: roots[h]!) }
        }
    }
}
