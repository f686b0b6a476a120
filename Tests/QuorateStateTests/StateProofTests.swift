import QuorateCore
import QuorateState
import QuorateTestSupport
import Testing

@Suite("state proofs")
struct StateProofTests {
    /// A 200-key tree, its keys, and absent keys whose paths end in an empty subtree and in another leaf.
    static func fixture() throws -> (TestTree, [Hash32: [UInt8]], absentEmpty: Hash32, absentOther: Hash32) {
        var tree = TestTree()
        let entries = randomEntries(200, seed: 11)
        try tree.apply(entries.map { ($0.key, $0.value) })
        var rng = SeededGenerator(seed: 12)
        var absentEmpty: Hash32? = nil, absentOther: Hash32? = nil
        while absentEmpty == nil || absentOther == nil {
            let key = rng.hash()
            let proof = try tree.proof(key)
            if proof.terminal == nil { absentEmpty = absentEmpty ?? key } else { absentOther = absentOther ?? key }
        }
        return (tree, entries, absentEmpty!, absentOther!)
    }

    @Test("inclusion proofs verify for every key and carry its value")
    func inclusion() throws {
        let (tree, entries, _, _) = try Self.fixture()
        for (key, value) in entries {
            let proof = try tree.proof(key)
            #expect(proof.value == value)
            #expect(proof.verify(root: tree.root))
            #expect(try StateProof(decoding: proof.encoded()) == proof)
        }
    }

    @Test("exclusion proofs verify, both ending in an empty subtree and in another leaf")
    func exclusion() throws {
        let (tree, _, absentEmpty, absentOther) = try Self.fixture()
        for key in [absentEmpty, absentOther] {
            let proof = try tree.proof(key)
            #expect(proof.value == nil)
            #expect(proof.verify(root: tree.root))
            #expect(try StateProof(decoding: proof.encoded()) == proof)
        }
        #expect(try tree.proof(absentOther).terminal != nil)
        #expect(try tree.proof(absentEmpty).terminal == nil)
        // Empty tree: an exclusion proof with no siblings.
        let empty = TestTree()
        #expect(try empty.proof(absentEmpty).verify(root: Hash32.zero))
    }

    @Test("a proof stays valid for its own root after later updates (historical proof)")
    func historicalProof() throws {
        var (tree, entries, _, _) = try Self.fixture()
        let oldRoot = tree.root
        let key = entries.keys.sorted()[0]
        try tree.apply([(key, [0xff])])
        let old = try tree.proof(key, at: oldRoot)
        #expect(old.value == entries[key])
        #expect(old.verify(root: oldRoot))
        #expect(!old.verify(root: tree.root))
    }

    @Test("tampered proofs fail: changed value, changed sibling, wrong root, truncated, swapped kind")
    func tampered() throws {
        let (tree, entries, absentEmpty, absentOther) = try Self.fixture()
        let key = entries.keys.sorted()[3]
        let good = try tree.proof(key)
        #expect(good.verify(root: tree.root))
        #expect(good.siblings.count >= 2)

        let changedValue = StateProof(key: key, value: good.value! + [0], siblings: good.siblings, terminal: nil)
        #expect(!changedValue.verify(root: tree.root))

        var siblings = good.siblings
        siblings[1] = Hash32.keccak(siblings[1].bytes)
        #expect(!StateProof(key: key, value: good.value, siblings: siblings, terminal: nil).verify(root: tree.root))

        #expect(!good.verify(root: Hash32.keccak(tree.root.bytes)))

        let truncated = StateProof(key: key, value: good.value, siblings: Array(good.siblings.dropLast()), terminal: nil)
        #expect(!truncated.verify(root: tree.root))
        let dropRoot = StateProof(key: key, value: good.value, siblings: Array(good.siblings.dropFirst()), terminal: nil)
        #expect(!dropRoot.verify(root: tree.root))

        // Claiming absence of a present key fails, with or without a terminal leaf.
        #expect(!StateProof(key: key, value: nil, siblings: good.siblings, terminal: nil).verify(root: tree.root))
        let other = try tree.proof(absentOther)
        #expect(!StateProof(key: key, value: nil, siblings: other.siblings, terminal: other.terminal).verify(root: tree.root))
        // The terminal leaf must be another key under the same prefix.
        let empty = try tree.proof(absentEmpty)
        let selfTerminal = StateProof(key: key, value: nil, siblings: good.siblings,
                                      terminal: .init(key: key, valueHash: Hash32.keccak(good.value!)))
        #expect(!selfTerminal.verify(root: tree.root))
        #expect(!StateProof(key: absentOther, value: nil, siblings: other.siblings, terminal: nil).verify(root: tree.root))
        #expect(!StateProof(key: absentEmpty, value: [1], siblings: empty.siblings, terminal: nil).verify(root: tree.root))
        // Another key's inclusion proof does not prove this key.
        let otherKey = entries.keys.sorted()[4]
        #expect(!StateProof(key: otherKey, value: good.value, siblings: good.siblings, terminal: nil).verify(root: tree.root))
    }

    @Test("proof decoding refuses truncated input, trailing bytes, bad kinds and more than 256 siblings")
    func decodingBounds() throws {
        let (tree, entries, _, absentOther) = try Self.fixture()
        for proof in [try tree.proof(entries.keys.first!), try tree.proof(absentOther)] {
            let bytes = proof.encoded()
            for cut in [0, 1, 32, 33, bytes.count - 33, bytes.count - 1] {
                #expect(throws: StateError.self) { try StateProof(decoding: Array(bytes.prefix(cut))) }
            }
            #expect(throws: StateError.self) { try StateProof(decoding: bytes + [0]) }
            var badKind = bytes
            badKind[0] = 9
            #expect(throws: StateError.self) { try StateProof(decoding: badKind) }
        }
        // 257 siblings announced, and present: refused on the count before reading them.
        let tooMany: [UInt8] = [0] + [UInt8](repeating: 0, count: 32) + [0x01, 0x01] + [UInt8](repeating: 1, count: 257 * 32)
        #expect(throws: StateError.self) { try StateProof(decoding: tooMany) }
        // A value length far beyond the input is refused, not allocated.
        let hugeValue: [UInt8] = [1] + [UInt8](repeating: 0, count: 32) + [0xff, 0xff, 0xff, 0xff]
        #expect(throws: StateError.self) { try StateProof(decoding: hugeValue) }
    }
}
