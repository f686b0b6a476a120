import Foundation
import QuorateCore
import QuorateState
@testable import QuorateStorage
import QuorateTestSupport
import Testing

@Suite("pruning")
struct PruningTests {
    typealias F = ChainFixture

    static func stateNodeCount(_ store: ChainStore) throws -> Int {
        var n = 0
        try store.db.iterate(prefix: [UInt8(ascii: "n")]) { _, _ in n += 1; return true }
        return n
    }

    @Test("state pruning keeps every retained height readable, deletes what only older roots used, and answers for the oldest height")
    func statePruning() throws {
        try withTemporaryDirectory { path in
            do {
                let store = try ChainStore.initialize(path: path, genesis: F.genesis())
                try store.configureStatePruning(true)
                let committed = try F.commitBlocks(1...12, to: store)
                let before = try Self.stateNodeCount(store)
                while try store.pruneStateStep(retention: 3) > 0 {}
                #expect(try store.oldestState() == 9)
                #expect(try Self.stateNodeCount(store) < before)
                for (executed, _) in committed where executed.block.height >= 9 {
                    let h = executed.block.height
                    let root = executed.block.header.stateRoot
                    #expect(try store.account(F.carolAddress, stateRoot: root)?.balance == UInt256(h * (h + 1)))
                    #expect(try store.account(F.address(F.alice), stateRoot: root)?.nonce == 2 * h)
                    #expect(try store.account(F.bobAddress, stateRoot: root)?.balance == F.initialBalance)
                }
                // Carol's leaf changed in every block: her leaf of block 5 is gone.
                expectError(containing: "missing") {
                    _ = try store.account(F.carolAddress, stateRoot: committed[4].executed.block.header.stateRoot)
                }
                // The chain goes on on top of the pruned store.
                _ = try F.commitBlocks(13...14, to: store)
            }
            let reopened = try ChainStore(path: path)
            #expect(try reopened.account(F.carolAddress, stateRoot: reopened.head.stateRoot)?.balance == UInt256(14 * 15))
        }
    }

    @Test("a store that keeps the stale-node index keeps it for an opener that does not configure pruning (import)")
    func indexKeptByEveryOpener() throws {
        try withTemporaryDirectory { path in
            do {
                let store = try ChainStore.initialize(path: path, genesis: F.genesis())
                try store.configureStatePruning(true)
                _ = try F.commitBlocks(1...3, to: store)
            }
            let reopened = try ChainStore(path: path)
            _ = try F.commitBlocks(4...6, to: reopened)
            #expect(try reopened.db.get(StoreKeys.staleNodes(5)) != nil, "block 5's superseded nodes are listed")
        }
    }

    @Test("turning state pruning off drops the stale-node index, so a later run cannot trust a stale one")
    func pruningOffDropsTheIndex() throws {
        try withTemporaryDirectory { path in
            let store = try ChainStore.initialize(path: path, genesis: F.genesis())
            try store.configureStatePruning(true)
            _ = try F.commitBlocks(1...4, to: store)
            #expect(try !store.db.scan(prefix: StoreKeys.staleNodePrefix, limit: 1).isEmpty)
            try store.configureStatePruning(false)
            #expect(try store.db.scan(prefix: StoreKeys.staleNodePrefix, limit: 1).isEmpty)
            #expect(try store.pruneStateStep(retention: 2) == 0)
        }
    }

    @Test("block pruning deletes bodies, headers, receipts, certificates and indexes below the retention, never block 0, the head or the 256 blocks BLOCKHASH reads")
    func blockPruning() throws {
        try withTemporaryDirectory { path in
            do {
                let store = try ChainStore.initialize(path: path, genesis: F.genesis())
                let committed = try F.commitBlocks(1...270, to: store)
                // A retention of 4 would keep 266...270; BLOCKHASH (and a restart's first block) reads back to 15.
                while try store.pruneBlocksStep(retention: 4, maxBlocks: 2) > 0 {}
                #expect(try store.oldestBlockBody() == 15)
                #expect(try store.block(at: 14) == nil && store.certificate(at: 14) == nil && store.receipts(at: 14).isEmpty)
                #expect(try store.header(at: 14) == nil)
                #expect(try store.transactionLocation(committed[0].executed.block.transactions[0].hash) == nil)
                #expect(try store.block(at: 0) != nil && store.block(at: 15) != nil && store.certificate(at: 270) != nil)
                expectError(containing: "were pruned") { _ = try store.exportBlocks(to: path + "/x.qexp", from: 1) }
            }
            let reopened = try ChainStore(path: path)
            #expect(reopened.head.height == 270)
            #expect(reopened.blockHash(at: 15) != nil && reopened.blockHash(at: 14) == nil)
        }
    }
}
