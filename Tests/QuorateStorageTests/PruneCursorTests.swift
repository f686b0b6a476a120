import Foundation
import QuorateCore
import QuorateState
@testable import QuorateStorage
import QuorateTestSupport
import Testing

@Suite("the state pruner's scan start")
struct PruneCursorTests {
    typealias F = ChainFixture

    /// The heights the stale-node index still lists, read from the start of its prefix.
    static func listedHeights(_ store: ChainStore) throws -> [UInt64] {
        try store.db.scan(prefix: StoreKeys.staleNodePrefix, limit: .max).map { StoreKeys.uint64(Array($0.key.dropFirst()))! }
    }

    @Test("pruning in rounds between commits, each scan starting after the heights already pruned, leaves no list at or below the target and keeps the rest")
    func roundsBetweenCommits() throws {
        try withTemporaryDirectory { path in
            let store = try ChainStore.initialize(path: path, genesis: F.genesis())
            try store.configureStatePruning(true)
            var committed = try F.commitBlocks(1...6, to: store)
            for round in 0..<4 {
                while try store.pruneStateStep(retention: 3) > 0 {}
                let target = store.head.height - 3
                #expect(try store.oldestState() == target, "round \(round)")
                #expect(try Self.listedHeights(store).allSatisfy { $0 > target }, "round \(round)")
                #expect(try Self.listedHeights(store) == Array((target + 1)...store.head.height), "round \(round)")
                // Carol's leaf changes in every block: the one of the height before the target is gone.
                let pruned = committed[Int(target) - 2].executed.block.header.stateRoot
                expectError(containing: "missing") { _ = try store.account(F.carolAddress, stateRoot: pruned) }
                let next = store.head.height + 1
                committed += try F.commitBlocks(next...(next + 2), to: store)
            }
            let h = store.head.height
            #expect(try store.account(F.carolAddress, stateRoot: store.head.stateRoot)?.balance == UInt256(h * (h + 1)))
        }
    }
}
