import QuorateCore
import QuorateState
import QuorateTestSupport

/// The tree's definition, written out naively and independently of the implementation:
/// empty = 0, one key = its leaf, more = keccak(0x01 || left || right) split on the next bit.
func referenceRoot(_ entries: [Hash32: [UInt8]]) -> Hash32 {
    referenceRoot(entries.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }[...], depth: 0)
}

private func referenceRoot(_ entries: ArraySlice<(Hash32, [UInt8])>, depth: Int) -> Hash32 {
    if entries.isEmpty { return Hash32.zero }
    if entries.count == 1 {
        let (key, value) = entries.first!
        return Hash32.keccak([0x00] + key.bytes + Hash32.keccak(value).bytes)
    }
    let left = entries.filter { bit($0.0, depth) == 0 }
    let right = entries.filter { bit($0.0, depth) == 1 }
    return Hash32.keccak([0x01] + referenceRoot(left[...], depth: depth + 1).bytes
        + referenceRoot(right[...], depth: depth + 1).bytes)
}

func bit(_ key: Hash32, _ index: Int) -> Int { Int(key.bytes[index / 8] >> (7 - UInt8(index % 8))) & 1 }

/// Hashes of every node reachable from `root`, by walking the stored encodings
/// (0x00 leaf || key || value; 0x01 internal || left || right).
func reachableNodes(_ root: Hash32, _ store: MemoryNodeStore) -> Set<Hash32> {
    var seen: Set<Hash32> = []
    var stack = root == Hash32.zero ? [] : [root]
    while let hash = stack.popLast() {
        guard seen.insert(hash).inserted, let bytes = store.nodes[hash] else { continue }
        if bytes[0] == 0x01 {
            for child in [Hash32(Array(bytes[1..<33])), Hash32(Array(bytes[33..<65]))] where child != Hash32.zero {
                stack.append(child)
            }
        }
    }
    return seen
}

/// A tree in memory: applies batches and keeps the store up to date, as a block commit would.
struct TestTree {
    var store = MemoryNodeStore()
    var root = SparseMerkleTree.emptyRoot

    @discardableResult
    mutating func apply(_ changes: [(key: Hash32, value: [UInt8]?)]) throws -> StateUpdate {
        let update = try SparseMerkleTree.apply(root: root, changes: changes, reader: store)
        store.insert(update)
        root = update.newRoot
        return update
    }

    func value(_ key: Hash32, at root: Hash32? = nil) throws -> [UInt8]? {
        try SparseMerkleTree.value(root: root ?? self.root, key: key, reader: store)
    }

    func proof(_ key: Hash32, at root: Hash32? = nil) throws -> StateProof {
        try SparseMerkleTree.proof(root: root ?? self.root, key: key, reader: store)
    }
}

/// Random (key, value) pairs from a seed.
func randomEntries(_ count: Int, seed: UInt64) -> [Hash32: [UInt8]] {
    var rng = SeededGenerator(seed: seed)
    var out: [Hash32: [UInt8]] = [:]
    while out.count < count { out[rng.hash()] = rng.bytes(Int.random(in: 1...40, using: &rng)) }
    return out
}
