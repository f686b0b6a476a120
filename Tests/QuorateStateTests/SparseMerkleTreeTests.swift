import QuorateCore
import QuorateState
import QuorateTestSupport
import Testing

@Suite("sparse Merkle tree")
struct SparseMerkleTreeTests {
    @Test("an empty tree has the zero root and holds no key")
    func emptyTree() throws {
        let tree = TestTree()
        #expect(tree.root == Hash32.zero)
        #expect(try tree.value(Hash32.keccak([1])) == nil)
    }

    @Test("a single key's root is its leaf hash, keccak(0x00 || key || keccak(value))")
    func singleLeafRoot() throws {
        var tree = TestTree()
        let key = Hash32.keccak([7])
        try tree.apply([(key, [1, 2, 3])])
        #expect(tree.root == Hash32.keccak([0x00] + key.bytes + Hash32.keccak([1, 2, 3]).bytes))
    }

    @Test("root matches the naive definition and does not depend on insertion order or batch split")
    func orderAndBatchIndependence() throws {
        let entries = randomEntries(300, seed: 1)
        let expected = referenceRoot(entries)
        let sorted = entries.sorted { $0.key < $1.key }.map { (key: $0.key, value: Optional($0.value)) }

        var oneBatch = TestTree()
        try oneBatch.apply(sorted)
        #expect(oneBatch.root == expected)

        for seed in UInt64(10)..<UInt64(15) {
            var rng = SeededGenerator(seed: seed)
            var shuffled = sorted
            shuffled.shuffle(using: &rng)
            var tree = TestTree()
            var rest = shuffled[...]
            while !rest.isEmpty {
                let size = Int.random(in: 1...40, using: &rng)
                try tree.apply(Array(rest.prefix(size)))
                rest = rest.dropFirst(size)
            }
            #expect(tree.root == expected, "seed \(seed)")
        }

        var oneByOne = TestTree()
        for change in sorted.reversed() { try oneByOne.apply([change]) }
        #expect(oneByOne.root == expected)
    }

    @Test("random inserts, updates and deletes over many batches track a dictionary model")
    func randomBatchesMatchModel() throws {
        var rng = SeededGenerator(seed: 2)
        let keys = (0..<200).map { _ in rng.hash() }
        var model: [Hash32: [UInt8]] = [:]
        var tree = TestTree()
        for batch in 0..<60 {
            var changes: [(key: Hash32, value: [UInt8]?)] = []
            for _ in 0..<Int.random(in: 1...25, using: &rng) {
                let key = keys.randomElement(using: &rng)!
                let value: [UInt8]? = Int.random(in: 0..<3, using: &rng) == 0 ? nil : rng.bytes(Int.random(in: 0...8, using: &rng))
                changes.append((key, value))
                model[key] = value
            }
            try tree.apply(changes)
            #expect(tree.root == referenceRoot(model), "batch \(batch)")
        }
        for key in keys { #expect(try tree.value(key) == model[key]) }
    }

    @Test("a key changed twice in one batch keeps the last change")
    func lastChangeWins() throws {
        var tree = TestTree()
        let a = Hash32.keccak([1]), b = Hash32.keccak([2])
        try tree.apply([(a, [1]), (b, [2]), (a, [3]), (b, nil)])
        #expect(tree.root == referenceRoot([a: [3]]))
    }

    @Test("deleting what a batch inserted restores the previous root, and deleting all gives the empty root")
    func deletesRestoreRoot() throws {
        var tree = TestTree()
        let base = randomEntries(100, seed: 3)
        try tree.apply(base.map { ($0.key, $0.value) })
        let before = tree.root
        let extra = randomEntries(30, seed: 4)
        try tree.apply(extra.map { ($0.key, $0.value) })
        #expect(tree.root != before)
        try tree.apply(extra.map { ($0.key, nil) })
        #expect(tree.root == before)
        // One at a time, so that leaves move up through every collapse step.
        for key in base.keys.sorted() { try tree.apply([(key, nil)]) }
        #expect(tree.root == Hash32.zero)
    }

    @Test("rewriting a value with itself, or deleting an absent key, changes nothing and writes nothing")
    func noOpChanges() throws {
        var tree = TestTree()
        let entries = randomEntries(50, seed: 5)
        try tree.apply(entries.map { ($0.key, $0.value) })
        let root = tree.root
        let (key, value) = entries.min { $0.key < $1.key }!
        let same = try tree.apply([(key, value), (Hash32.keccak([0xee]), nil)])
        #expect(same.newRoot == root)
        #expect(same.newNodes.isEmpty)
    }

    @Test("reads at an old root see the state of that root")
    func historicalReads() throws {
        var tree = TestTree()
        let key = Hash32.keccak([9])
        var roots: [Hash32] = []
        let others = randomEntries(64, seed: 6)
        try tree.apply(others.map { ($0.key, $0.value) })
        for version in 0..<5 {
            try tree.apply([(key, [UInt8(version)])])
            roots.append(tree.root)
        }
        try tree.apply([(key, nil)])
        for (version, root) in roots.enumerated() {
            #expect(try tree.value(key, at: root) == [UInt8(version)])
        }
        #expect(try tree.value(key) == nil)
    }

    @Test("keys sharing 255 bits: a chain of internal nodes and a 256-sibling proof")
    func longSharedPrefix() throws {
        let a = Hash32([UInt8](repeating: 0xab, count: 31) + [0xfe])
        let b = Hash32([UInt8](repeating: 0xab, count: 31) + [0xff])
        let c = Hash32([0x00] + [UInt8](repeating: 0, count: 31))
        var tree = TestTree()
        try tree.apply([(a, [1]), (b, [2]), (c, [3])])
        #expect(tree.root == referenceRoot([a: [1], b: [2], c: [3]]))
        let proof = try tree.proof(b)
        #expect(proof.siblings.count == 256)
        #expect(proof.verify(root: tree.root))
        #expect(try StateProof(decoding: proof.encoded()) == proof)
        try tree.apply([(a, nil)])
        #expect(tree.root == referenceRoot([b: [2], c: [3]]))
        #expect(try tree.proof(b).siblings.count == 1)
    }
}
