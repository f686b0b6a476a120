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

    @Test("block sync passing heights far below the tip writes the tree only at the interval and keeps what it supersedes one height; the heights before answer as pruned")
    func passedHeights() throws {
        try withTemporaryDirectory { base in
            try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
            try ChainStore.initialize(path: base + "/kept", genesis: F.genesis())
            try ChainStore.initialize(path: base + "/passed", genesis: F.genesis())
            let kept = try Self.openDeferred(base + "/kept")
            let passed = try Self.openDeferred(base + "/passed")
            // With the best peer at 200, heights below 72 are more than the retention (128) below it.
            #expect(passed.treeWriteForSyncedBlock(at: 71, highestHeight: 200) == .passing)
            #expect(passed.treeWriteForSyncedBlock(at: 72, highestHeight: 200) == .whole)
            #expect(passed.treeWriteForSyncedBlock(at: 200, highestHeight: 100) == .whole)
            let committed = try F.commitBlocks(1...10, to: kept)
            _ = try F.commitBlocks(1...10, to: passed) { passed.treeWriteForSyncedBlock(at: $0, highestHeight: 200) }
            #expect(passed.head.hash == kept.head.hash)
            #expect(passed.stateFlushedHeight == 8, "written at the interval, as consensus writes it")
            #expect(try Self.nodesOnDisk(passed) == (try Self.nodesOnDisk(kept)))
            // Carol's leaf of block 5, superseded at 6 and never written: gone from memory too,
            // while the consensus-mode store keeps it for the retained heights.
            let carolKey = Hash32.keccak(F.carolAddress.bytes).bytes
            let carolLeaves = committed.map { $0.executed.stateUpdate.newNodes.first { Array($0.encoded[1..<33]) == carolKey }!.hash }
            #expect(passed.computedStateNode(carolLeaves[4]) == nil)
            #expect(kept.computedStateNode(carolLeaves[4]) != nil)
            // The parent of the last passed height still reads; what is older answers as pruned.
            #expect(try passed.oldestState() == 9)
            #expect(try kept.oldestState() == nil)
            for h in UInt64(9)...10 { try Self.expectStateOfBlock(h, in: passed, root: committed[Int(h) - 1].executed.block.header.stateRoot) }
            // Near the tip the next heights are written whole, and the floor stays.
            _ = try F.commitBlocks(11...11, to: passed) { passed.treeWriteForSyncedBlock(at: $0, highestHeight: 12) }
            #expect(passed.stateFlushedHeight == 11)
            #expect(try passed.oldestState() == 9)
        }
    }

    @Test("a crash while block sync passes heights rebuilds the heights after the last written tree and reaches the same state")
    func crashWhilePassing() throws {
        try withTemporaryDirectory { path in
            try ChainStore.initialize(path: path, genesis: F.genesis())
            var roots: [UInt64: Hash32] = [:]
            do {
                let store = try Self.openDeferred(path)
                let committed = try F.commitBlocks(1...11, to: store) { store.treeWriteForSyncedBlock(at: $0, highestHeight: 1_000) }
                for (executed, _) in committed { roots[executed.block.height] = executed.block.header.stateRoot }
            }
            let reopened = try Self.openDeferred(path)
            #expect(reopened.head.height == 11 && reopened.rebuiltStateHeights == 9...11)
            #expect(try reopened.oldestState() == 10, "the floor the last passed block wrote")
            try Self.expectStateOfBlock(11, in: reopened, root: roots[11]!)
            _ = try F.commitBlocks(12...13, to: reopened) { reopened.treeWriteForSyncedBlock(at: $0, highestHeight: 1_000) }
            #expect(reopened.stateFlushedHeight == 12)
            try Self.expectStateOfBlock(13, in: reopened, root: reopened.head.stateRoot)
        }
    }

    @Test("a crash before the first write of the tree rebuilds every height from the genesis state")
    func crashBeforeTheFirstWrite() throws {
        try withTemporaryDirectory { path in
            try ChainStore.initialize(path: path, genesis: F.genesis())
            do { _ = try F.commitBlocks(1...3, to: try Self.openDeferred(path)) }
            let reopened = try Self.openDeferred(path)
            #expect(reopened.rebuiltStateHeights == 1...3 && reopened.stateFlushedHeight == 0)
            try Self.expectStateOfBlock(3, in: reopened, root: reopened.head.stateRoot)
            _ = try F.commitBlocks(4...4, to: reopened)
        }
    }

    @Test("a validator writes its tree at its own phase of the interval, and a crash rebuilds from there")
    func phasedWrites() throws {
        #expect((0..<4).map { StateFlushPolicy.phase(validatorIndex: $0, of: 4, intervalHeights: 16) } == [0, 4, 8, 12])
        #expect((0..<3).map { StateFlushPolicy.phase(validatorIndex: $0, of: 3, intervalHeights: 16) } == [0, 5, 10])
        #expect(Set((0..<7).map { StateFlushPolicy.phase(validatorIndex: $0, of: 7, intervalHeights: 16) }).count == 7)
        #expect((0..<20).allSatisfy { StateFlushPolicy.phase(validatorIndex: $0, of: 20, intervalHeights: 16) < 16 })
        try withTemporaryDirectory { path in
            try ChainStore.initialize(path: path, genesis: F.genesis())
            let open = { () throws -> ChainStore in
                let store = try ChainStore(path: path)
                try store.configureStatePruning(true)
                store.configureStateFlush(StateFlushPolicy(intervalHeights: 4, recentHeights: 128, phaseHeights: 3))
                return store
            }
            do {
                let store = try open()
                _ = try F.commitBlocks(1...9, to: store)
                #expect(store.stateFlushedHeight == 7, "written at 3 and 7")
            }
            let reopened = try open()
            #expect(reopened.rebuiltStateHeights == 8...9)
            try Self.expectStateOfBlock(9, in: reopened, root: reopened.head.stateRoot)
            _ = try F.commitBlocks(10...11, to: reopened)
            #expect(reopened.stateFlushedHeight == 11)
        }
    }

    @Test("a node whose phase changed across a restart still writes its tree within one interval of the last write")
    func phaseChangeKeepsTheGapBounded() throws {
        try withTemporaryDirectory { path in
            try ChainStore.initialize(path: path, genesis: F.genesis())
            let open = { (phase: UInt64) throws -> ChainStore in
                let store = try ChainStore(path: path)
                try store.configureStatePruning(true)
                store.configureStateFlush(StateFlushPolicy(intervalHeights: 4, recentHeights: 128, phaseHeights: phase))
                return store
            }
            do { _ = try F.commitBlocks(1...10, to: try open(3)) }  // written at 3 and 7; 8...10 in memory
            let reopened = try open(1)
            #expect(reopened.rebuiltStateHeights == 8...10)
            _ = try F.commitBlocks(11...11, to: reopened)
            #expect(reopened.stateFlushedHeight == 11, "four heights after 7, before phase 1 comes round at 13")
        }
    }

    @Test("after a kill -9 the heights before the last write of the tree answer as pruned, not with a missing node")
    func crashRaisesTheOldestState() throws {
        try withTemporaryDirectory { path in
            try ChainStore.initialize(path: path, genesis: F.genesis())
            do { _ = try F.commitBlocks(1...10, to: try Self.openDeferred(path)) }
            let reopened = try Self.openDeferred(path)
            #expect(try reopened.oldestState() == 8)
            try Self.expectStateOfBlock(8, in: reopened, root: reopened.block(at: 8)!.header.stateRoot)
        }
    }

    @Test("a kill -9 right after a write of the tree executes nothing again, and the heights before it answer as pruned; after a clean stop they read")
    func killedAtAWriteOfTheTree() throws {
        try withTemporaryDirectory { base in
            try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
            for clean in [false, true] {
                let path = base + (clean ? "/clean" : "/killed")
                try ChainStore.initialize(path: path, genesis: F.genesis())
                var roots: [UInt64: Hash32] = [:]
                do {
                    let store = try Self.openDeferred(path)
                    for (executed, _) in try F.commitBlocks(1...8, to: store) { roots[executed.block.height] = executed.block.header.stateRoot }
                    #expect(store.stateFlushedHeight == 8)
                    if clean { try store.flushState() }
                }
                do {
                    let reopened = try Self.openDeferred(path)
                    #expect(reopened.rebuiltStateHeights == nil, "the tree at the head is on disk: nothing to execute again")
                    try Self.expectStateOfBlock(8, in: reopened, root: roots[8]!)
                    if clean {
                        #expect(try reopened.oldestState() == nil)
                        for h in UInt64(1)...7 { try Self.expectStateOfBlock(h, in: reopened, root: roots[h]!) }
                    } else {
                        #expect(try reopened.oldestState() == 8, "block 5's superseded leaf was only in memory")
                    }
                }
                // What the open finds does not depend on how this process writes its tree.
                #expect(try ChainStore(path: path).oldestState() == (clean ? nil : 8))
            }
        }
    }

    @Test("the oldest state a kill left is recorded by the next process's first batch and outlives its clean stop; a store that writes every height's tree has no mark and loses nothing to a kill")
    func killFloorOutlivesACleanStop() throws {
        try withTemporaryDirectory { base in
            try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
            let deferredPath = base + "/deferred", everyHeightPath = base + "/every"
            try ChainStore.initialize(path: deferredPath, genesis: F.genesis())
            try ChainStore.initialize(path: everyHeightPath, genesis: F.genesis())
            do { _ = try F.commitBlocks(1...8, to: try Self.openDeferred(deferredPath)) }  // killed after the write at 8
            do {
                let store = try Self.openDeferred(deferredPath)
                #expect(try store.oldestState() == 8)
                _ = try F.commitBlocks(9...10, to: store)
                try store.flushState()
            }
            let reopened = try Self.openDeferred(deferredPath)
            #expect(try reopened.oldestState() == 8, "stored by block 9's batch, not lost with the clean stop")
            try Self.expectStateOfBlock(10, in: reopened, root: reopened.head.stateRoot)
            try Self.expectStateOfBlock(8, in: reopened, root: try reopened.block(at: 8)!.header.stateRoot)
            do { _ = try F.commitBlocks(1...3, to: try ChainStore(path: everyHeightPath)) }  // killed
            let every = try ChainStore(path: everyHeightPath)
            #expect(try every.oldestState() == nil)
            for h in UInt64(1)...3 { try Self.expectStateOfBlock(h, in: every, root: try every.block(at: h)!.header.stateRoot) }
        }
    }

    @Test("opening a store of schema 1 writes nothing (a backup's checksum still holds); its first commit marks it with the current version")
    func schemaMarkedByTheFirstCommit() throws {
        try withTemporaryDirectory { path in
            try ChainStore.initialize(path: path, genesis: F.genesis()).db.put(StoreKeys.metaSchemaVersion, StoreKeys.be(1), sync: true)
            do {
                let store = try ChainStore(path: path)
                #expect(try store.db.get(StoreKeys.metaSchemaVersion) == StoreKeys.be(1))
                _ = try F.commitBlocks(1...1, to: store)
            }
            #expect(try ChainStore(path: path).db.get(StoreKeys.metaSchemaVersion) == StoreKeys.be(ChainStore.schemaVersion))
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
            // Every retained height reads from disk: the stop wrote the superseded nodes too.
            for h in UInt64(1)...6 { try Self.expectStateOfBlock(h, in: reopened, root: reopened.block(at: h)!.header.stateRoot) }
            #expect(try reopened.oldestState() == nil)
        }
    }

    @Test("with no memory for superseded nodes they are written with the next block, and every retained height reads from disk after a restart")
    func spillKeepsTheRetention() throws {
        try withTemporaryDirectory { path in
            try ChainStore.initialize(path: path, genesis: F.genesis())
            let policy = StateFlushPolicy(intervalHeights: 8, recentHeights: 128, recentBytesMax: 0)
            var roots: [UInt64: Hash32] = [:]
            do {
                let store = try ChainStore(path: path)
                try store.configureStatePruning(true)
                store.configureStateFlush(policy)
                for (executed, _) in try F.commitBlocks(1...12, to: store) { roots[executed.block.height] = executed.block.header.stateRoot }
                try store.flushState()
            }
            let reopened = try ChainStore(path: path)
            #expect(reopened.rebuiltStateHeights == nil)
            for h in UInt64(1)...12 { try Self.expectStateOfBlock(h, in: reopened, root: roots[h]!) }
            // The spilled nodes are listed: pruning deletes them with the heights that read them.
            try reopened.configureStatePruning(true)
            reopened.configureStateFlush(policy)
            let before = try Self.nodesOnDisk(reopened).count
            while try reopened.pruneStateStep(retention: 2) > 0 {}
            #expect(try Self.nodesOnDisk(reopened).count < before)
            try Self.expectStateOfBlock(12, in: reopened, root: roots[12]!)
            expectError(containing: "missing") { _ = try reopened.account(F.carolAddress, stateRoot: roots[5]!) }
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
                // No block retention reaches past the last write (28), nor the 255 blocks before it
                // whose hashes the restart's first block reads: here that is every block.
                while try store.pruneBlocksStep(retention: 0) > 0 {}
                #expect(try store.oldestBlockBody() == nil)
            }
            let reopened = try Self.openDeferred(path, recentHeights: 6)
            for h in UInt64(28)...30 { try Self.expectStateOfBlock(h, in: reopened, root: roots[h]!) }
        }
    }
}

@Suite("unflushed state nodes")
struct UnflushedStateNodesTests {
    static func node(_ tag: UInt8) -> (hash: Hash32, encoded: [UInt8]) {
        (hash: Hash32([UInt8](repeating: tag, count: 32)), encoded: [1] + [UInt8](repeating: tag, count: 64))
    }

    static func update(new: [UInt8], stale: [UInt8]) -> StateUpdate {
        StateUpdate(newRoot: Hash32.zero, newNodes: new.map(node), staleNodes: stale.map { node($0).hash })
    }

    @Test("a flush writes the newest tree's unwritten nodes and lists only superseded nodes that are on disk")
    func flushContents() {
        var layer = UnflushedStateNodes()
        layer.absorb(Self.update(new: [1, 2], stale: [9]), height: 1, flushed: false)  // 9 was on disk
        layer.absorb(Self.update(new: [3], stale: [1]), height: 2, flushed: false)     // 1 never was
        #expect(layer.writes(after: Self.update(new: [5], stale: [3]), flushing: false) == nil, "between flushes nothing is written")
        let flush = layer.writes(after: Self.update(new: [4, 9], stale: [2, 8]), flushing: true)!  // 9 comes back; 8 on disk
        #expect(Set(flush.nodes.map(\.hash)) == Set([3, 4, 9].map { Self.node($0).hash }))
        #expect(flush.superseded == [Self.node(8).hash] && flush.flushed)
        #expect(layer.node(Self.node(1).hash) == Self.node(1).encoded, "superseded before a write: read from memory")
        layer.absorb(Self.update(new: [4, 9], stale: [2, 8]), height: 3, flushed: true)
        #expect(layer.isEmpty && layer.unflushedBytes == 0 && layer.flushedHeight == 3)
        #expect(layer.node(Self.node(3).hash) == nil, "written: read from disk")
        #expect(layer.node(Self.node(2).hash) != nil)
    }

    @Test("superseded nodes are forgotten when no retained height reads them; past the memory bound the oldest are written and listed instead")
    func recentBounds() {
        var layer = UnflushedStateNodes()
        layer.absorb(Self.update(new: [1, 2, 3], stale: []), height: 1, flushed: false)
        layer.absorb(Self.update(new: [4], stale: [1]), height: 2, flushed: false)
        layer.absorb(Self.update(new: [5], stale: [2]), height: 3, flushed: false)
        layer.forgetRecent(supersededThrough: 1)
        #expect(layer.node(Self.node(1).hash) != nil && layer.node(Self.node(2).hash) != nil)
        layer.forgetRecent(supersededThrough: 2)
        #expect(layer.node(Self.node(1).hash) == nil && layer.node(Self.node(2).hash) != nil)
        // Node 2 is still read by height 2, which the retention keeps: over the bound it spills.
        layer.forgetRecent(supersededThrough: 2, bytesMax: 0)
        #expect(layer.recentBytes == 0 && layer.node(Self.node(2).hash) != nil, "readable until written")
        let next = Self.update(new: [6], stale: [5])
        let writes = layer.writes(after: next, flushing: false)!
        #expect(writes.nodes.map(\.hash) == [Self.node(2).hash] && writes.superseded == [Self.node(2).hash] && !writes.flushed)
        layer.absorb(next, height: 4, flushed: false)
        #expect(layer.node(Self.node(2).hash) == nil, "written: read from disk")
        #expect(layer.node(Self.node(3).hash) != nil, "the newest tree's nodes are never forgotten")
    }

    @Test("a node superseded, created again and flushed is live: memory pressure later never lists it for the pruner")
    func recreatedNodeNeverSpills() {
        var layer = UnflushedStateNodes()
        layer.absorb(Self.update(new: [1, 2], stale: []), height: 1, flushed: false)
        layer.absorb(Self.update(new: [3], stale: [1]), height: 2, flushed: false)   // 1 only in memory
        layer.absorb(Self.update(new: [1], stale: [3]), height: 3, flushed: false)   // 1 is back
        layer.absorb(Self.update(new: [], stale: []), height: 4, flushed: true)      // and written
        layer.forgetRecent(supersededThrough: 0, bytesMax: 0)
        let writes = layer.writes(after: Self.update(new: [5], stale: []), flushing: false)
        #expect(writes.map { !$0.superseded.contains(Self.node(1).hash) } ?? true)
        #expect(writes?.nodes.map(\.hash) == [Self.node(3).hash], "only node 3, superseded and never written, spills")
    }

    @Test("a spilled node that a later block creates again is live: it is not listed for the pruner")
    func spilledNodeComesBack() {
        var layer = UnflushedStateNodes()
        layer.absorb(Self.update(new: [1, 2], stale: []), height: 1, flushed: false)
        layer.absorb(Self.update(new: [3], stale: [1]), height: 2, flushed: false)
        layer.forgetRecent(supersededThrough: 0, bytesMax: 0)
        let back = Self.update(new: [1], stale: [3])
        #expect(layer.writes(after: back, flushing: false) == nil)
        layer.absorb(back, height: 3, flushed: false)
        #expect(layer.node(Self.node(1).hash) != nil)
        let flush = layer.writes(after: Self.update(new: [], stale: []), flushing: true)!
        #expect(Set(flush.nodes.map(\.hash)) == Set([1, 2].map { Self.node($0).hash }) && flush.superseded.isEmpty)
    }
}
