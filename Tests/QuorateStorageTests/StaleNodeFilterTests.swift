import Foundation
import QuorateCore
import QuorateState
@testable import QuorateStorage
import Testing

@Suite("stale-node filter")
struct StaleNodeFilterTests {
    typealias F = ChainFixture

    static func hash(_ n: UInt8) -> Hash32 { Hash32([n] + [UInt8](repeating: 0xab, count: 31)) }

    /// The hashes the stored index lists at `height`.
    static func listed(_ store: ChainStore, at height: UInt64) throws -> [Hash32] {
        let value = try #require(try store.db.get(StoreKeys.staleNodes(height)))
        return stride(from: 0, to: value.count, by: 32).map { Hash32(Array(value[$0..<($0 + 32)])) }
    }

    @Test("a listed node is kept until every height listing it is pruned; an unlisted one is ruled out")
    func countsPerPrefix() {
        var filter = StaleNodeFilter()
        let a = Self.hash(1), b = Self.hash(2)
        #expect(!filter.mayList(a))
        filter.add([a])
        filter.add(indexValue: a.bytes + b.bytes)
        #expect(filter.mayList(a) && filter.mayList(b))
        filter.remove(indexValue: a.bytes + b.bytes)
        #expect(filter.mayList(a))
        #expect(!filter.mayList(b))
        filter.remove(indexValue: a.bytes)
        #expect(!filter.mayList(a))
    }

    @Test("past its capacity the filter gives up and rules nothing out")
    func overflowRulesNothingOut() {
        var filter = StaleNodeFilter(capacity: 2)
        filter.add([Self.hash(1), Self.hash(2)])
        #expect(filter.isComplete)
        filter.add([Self.hash(3)])
        #expect(!filter.isComplete)
        #expect(filter.mayList(Self.hash(9)))
        filter.remove(indexValue: Self.hash(1).bytes)
        #expect(filter.mayList(Self.hash(1)))
    }

    @Test("a commit that writes again a node an unpruned height lists as stale records it as revived, and pruning that height keeps it")
    func revivedNodeSurvivesPruning() throws {
        try withTemporaryDirectory { path in
            let store = try ChainStore.initialize(path: path, genesis: F.genesis())
            try store.configureStatePruning(true)
            _ = try F.commitBlocks(1...3, to: store)
            let stale = try #require(try Self.listed(store, at: 2).first)
            let encoded = try #require(try store.stateNode(stale))
            let filter = store.writeLock.withLock { $0.filter }
            #expect(filter.mayList(stale))
            // Height 4 writes the superseded node again (an earlier subtree came back).
            var batch = WriteBatch()
            let revived = try store.indexStaleNodes(StateUpdate(newRoot: stale, newNodes: [(stale, encoded)]), height: 4, filter: filter, into: &batch)
            #expect(revived == [stale])
            try store.db.write(batch, sync: false)
            store.writeLock.withLock { $0.revived.add(revived) }
            #expect(try store.db.get(StoreKeys.revivedNode(stale)).flatMap(StoreKeys.uint64) == 4)
            _ = try F.commitBlocks(4...6, to: store)
            while try store.pruneStateStep(retention: 3) > 0 {}
            #expect(try store.stateNode(stale) == encoded)
        }
    }

    @Test("a new node no unpruned height lists gets no revived record, and the filter is rebuilt from the index when the store reopens")
    func unlistedNodeAndReopen() throws {
        try withTemporaryDirectory { path in
            var listed: [Hash32] = []
            do {
                let store = try ChainStore.initialize(path: path, genesis: F.genesis())
                try store.configureStatePruning(true)
                _ = try F.commitBlocks(1...4, to: store)
                // A node of the head's tree is stored but listed nowhere: nothing to record.
                let root = store.head.stateRoot
                let encoded = try #require(try store.stateNode(root))
                let filter = store.writeLock.withLock { $0.filter }
                var batch = WriteBatch()
                let revived = try store.indexStaleNodes(StateUpdate(newRoot: root, newNodes: [(root, encoded)]), height: 5, filter: filter, into: &batch)
                #expect(revived.isEmpty && batch.isEmpty)
                listed = try (1...4).flatMap { try Self.listed(store, at: $0) }
            }
            let reopened = try ChainStore(path: path)
            try reopened.configureStatePruning(true)
            let filter = reopened.writeLock.withLock { $0.filter }
            #expect(!listed.isEmpty && listed.allSatisfy { filter.mayList($0) })
            while try reopened.pruneStateStep(retention: 2) > 0 {}
            let afterPruning = reopened.writeLock.withLock { $0.filter }
            let kept = try (3...4).flatMap { try Self.listed(reopened, at: $0) }
            #expect(kept.allSatisfy { afterPruning.mayList($0) })
            #expect(try (1...2).allSatisfy { try reopened.db.get(StoreKeys.staleNodes($0)) == nil })
        }
    }
}
