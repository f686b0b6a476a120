@testable import QuorateState
import QuorateCore
import QuorateTestSupport
import Testing

@Suite("superseded nodes of a state update")
struct StaleNodesTests {
    /// Every node reachable from `root`.
    static func reachable(_ root: Hash32, _ store: MemoryNodeStore) throws -> Set<Hash32> {
        var out = Set<Hash32>()
        var pending = root == .zero ? [] : [root]
        while let hash = pending.popLast() {
            out.insert(hash)
            if case .internal(let left, let right) = try store.loadNode(hash) {
                pending += [left, right].filter { $0 != .zero }
            }
        }
        return out
    }

    @Test("the stale nodes of each batch are exactly the old tree's nodes the new tree lacks, through inserts, updates, deletes and returns to earlier values")
    func staleNodesAreTheDifference() throws {
        var rng = SeededGenerator(seed: 15)
        var tree = TestTree()
        let keys = (0..<64).map { _ in rng.hash() }
        var history: [[UInt8]] = [[1], [2], [3]]
        for round in 0..<60 {
            var changes: [(key: Hash32, value: [UInt8]?)] = []
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                let key = keys[Int.random(in: 0..<keys.count, using: &rng)]
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: changes.append((key, nil))
                case 1: changes.append((key, history[Int.random(in: 0..<history.count, using: &rng)]))
                default:
                    let value = rng.bytes(Int.random(in: 1...8, using: &rng))
                    history.append(value)
                    changes.append((key, value))
                }
            }
            let before = try Self.reachable(tree.root, tree.store)
            let update = try tree.apply(changes)
            let after = try Self.reachable(tree.root, tree.store)
            #expect(Set(update.staleNodes) == before.subtracting(after), "round \(round)")
            #expect(update.staleNodes.count == Set(update.staleNodes).count, "round \(round): no duplicates")
        }
    }
}
