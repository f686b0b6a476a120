import QuorateCore
import QuorateState
import QuorateTestSupport
import Testing

@Suite("state updates write only new nodes")
struct StateUpdateTests {
    @Test("a 1-key update in a 1000-key tree writes the leaf and its path, about log2(1000) + 1 nodes")
    func oneKeyUpdateNodeCount() throws {
        var tree = TestTree()
        let entries = randomEntries(1000, seed: 7)
        try tree.apply(entries.map { ($0.key, $0.value) })
        let key = entries.keys.sorted()[500]
        let depth = try tree.proof(key).siblings.count
        let update = try tree.apply([(key, [0xaa, 0xbb])])
        #expect(update.newNodes.count == depth + 1)
        // log2(1000) is about 10; a leaf's depth runs a few bits over it.
        #expect(update.newNodes.count >= 8 && update.newNodes.count <= 20)
    }

    @Test("new nodes are exactly those reachable from the new root and not from the old one")
    func newNodesAreTheDifference() throws {
        var tree = TestTree()
        var rng = SeededGenerator(seed: 8)
        var keys: [Hash32] = []
        for _ in 0..<20 {
            let before = tree.root
            let oldNodes = reachableNodes(before, tree.store)
            var changes: [(key: Hash32, value: [UInt8]?)] = []
            for _ in 0..<Int.random(in: 1...30, using: &rng) {
                if !keys.isEmpty && Bool.random(using: &rng) {
                    let key = keys.randomElement(using: &rng)!
                    changes.append((key, Bool.random(using: &rng) ? nil : rng.bytes(4)))
                } else {
                    let key = rng.hash()
                    keys.append(key)
                    changes.append((key, rng.bytes(4)))
                }
            }
            let update = try tree.apply(changes)
            let written = update.newNodes.map(\.hash)
            #expect(Set(written).count == written.count, "no node written twice")
            #expect(Set(written) == reachableNodes(update.newRoot, tree.store).subtracting(oldNodes))
            for node in update.newNodes { #expect(hashOfEncoding(node.encoded) == node.hash) }
        }
    }

    @Test("the same batch gives the same nodes in the same order")
    func deterministicOrder() throws {
        let entries = randomEntries(100, seed: 9)
        let changes = entries.map { (key: $0.key, value: Optional($0.value)) }
        let first = try SparseMerkleTree.apply(root: Hash32.zero, changes: changes, reader: MemoryNodeStore())
        let second = try SparseMerkleTree.apply(root: Hash32.zero, changes: changes.reversed(), reader: MemoryNodeStore())
        #expect(first.newNodes.map(\.hash) == second.newNodes.map(\.hash))
        #expect(first.newNodes.map(\.encoded) == second.newNodes.map(\.encoded))
    }

    @Test("a missing node is a thrown error naming it, for reads, proofs and updates")
    func missingNodeThrows() throws {
        var tree = TestTree()
        let entries = randomEntries(50, seed: 10)
        try tree.apply(entries.map { ($0.key, $0.value) })
        var broken = tree.store
        broken.remove(tree.root)
        let key = entries.keys.first!
        #expect(throws: StateError.missingNode(tree.root)) {
            try SparseMerkleTree.value(root: tree.root, key: key, reader: broken)
        }
        #expect(throws: StateError.missingNode(tree.root)) {
            try SparseMerkleTree.proof(root: tree.root, key: key, reader: broken)
        }
        #expect(throws: StateError.missingNode(tree.root)) {
            try SparseMerkleTree.apply(root: tree.root, changes: [(key, [1])], reader: broken)
        }
        #expect(StateError.missingNode(tree.root).description.contains("missing: the store is incomplete"))
    }

    @Test("a node whose bytes do not match its hash is reported as corrupt")
    func corruptNodeThrows() throws {
        struct Lying: StateNodeReader {
            func stateNode(_ hash: Hash32) throws -> [UInt8]? { [0x01] + [UInt8](repeating: 7, count: 64) }
        }
        let root = Hash32.keccak([1])
        #expect {
            try SparseMerkleTree.value(root: root, key: root, reader: Lying())
        } throws: { error in
            guard case StateError.corruptNode(let hash, _) = error else { return false }
            return hash == root
        }
    }
}

/// A node's hash from its stored encoding, by the documented formulas.
func hashOfEncoding(_ bytes: [UInt8]) -> Hash32 {
    if bytes[0] == 0x00 {
        return Hash32.keccak(Array(bytes[0..<33]) + Hash32.keccak(Array(bytes[33...])).bytes)
    }
    precondition(bytes[0] == 0x01 && bytes.count == 65)
    return Hash32.keccak(bytes)
}
