import QuorateCore

/// The state commitment: a compact sparse Merkle tree over 256-bit keys (keccak256 of the
/// address), paths read MSB first, 0 = left.
///
/// Shape, as in Diem's Jellyfish / a compact SMT: a subtree holding no key is empty
/// (Hash32.zero, never stored); a subtree holding one key is that key's leaf, placed at the
/// shortest prefix that is unique to it; a subtree holding two or more keys is an internal node.
/// So the root depends only on the set of (key, value) pairs, never on the order or batching of
/// updates, and a lookup touches about log2(n) nodes instead of 256.
///
/// Pure: no I/O of its own; nodes come from a `StateNodeReader`, and new nodes go back to the
/// caller in a `StateUpdate` for it to write in the block's batch.
public enum SparseMerkleTree {
    /// Root of the tree with no keys.
    public static let emptyRoot = Hash32.zero

    /// Applies a batch of changes in one pass: every touched path is rewritten once.
    /// `value == nil` deletes the key (deleting an absent key changes nothing). When a key appears
    /// more than once, the last change wins, as if they were applied in order.
    public static func apply(
        root: Hash32, changes: [(key: Hash32, value: [UInt8]?)], reader: StateNodeReader
    ) throws -> StateUpdate {
        var updater = BatchUpdater(reader: reader)
        let sorted = lastChangePerKey(changes)
        let result = try updater.update(root, depth: 0, sorted[...])
        return StateUpdate(newRoot: result.hash, newNodes: updater.newNodes, staleNodes: updater.staleNodes)
    }

    /// Value under `key` in the tree at `root` (any root whose nodes the reader still holds).
    public static func value(root: Hash32, key: Hash32, reader: StateNodeReader) throws -> [UInt8]? {
        var hash = root
        var depth = 0
        while hash != Hash32.zero {
            switch try reader.loadNode(hash) {
            case .leaf(let leafKey, let value):
                return leafKey == key ? value : nil
            case .internal(let left, let right):
                guard depth < 256 else { throw StateError.corruptNode(hash, reason: "internal node below depth 256") }
                hash = key.pathBit(depth) == 0 ? left : right
                depth += 1
            }
        }
        return nil
    }

    /// Proof that `key` holds its value, or is absent, in the tree at `root`.
    public static func proof(root: Hash32, key: Hash32, reader: StateNodeReader) throws -> StateProof {
        var hash = root
        var siblings: [Hash32] = []
        while hash != Hash32.zero {
            switch try reader.loadNode(hash) {
            case .leaf(let leafKey, let value):
                if leafKey == key {
                    return StateProof(key: key, value: value, siblings: siblings, terminal: nil)
                }
                let other = StateProof.Leaf(key: leafKey, valueHash: Hash32.keccak(value))
                return StateProof(key: key, value: nil, siblings: siblings, terminal: other)
            case .internal(let left, let right):
                guard siblings.count < 256 else { throw StateError.corruptNode(hash, reason: "internal node below depth 256") }
                let goRight = key.pathBit(siblings.count) == 1
                siblings.append(goRight ? left : right)
                hash = goRight ? right : left
            }
        }
        return StateProof(key: key, value: nil, siblings: siblings, terminal: nil)
    }

    /// Sorts by key and keeps the last change of each key (sort stability is not relied upon:
    /// the original index breaks ties).
    static func lastChangePerKey(_ changes: [(key: Hash32, value: [UInt8]?)]) -> [Change] {
        let ordered = changes.enumerated().sorted { a, b in
            a.element.key != b.element.key ? a.element.key < b.element.key : a.offset < b.offset
        }
        var out: [Change] = []
        out.reserveCapacity(ordered.count)
        for (_, change) in ordered {
            if let last = out.last, last.key == change.key { out.removeLast() }
            out.append(Change(key: change.key, value: change.value))
        }
        return out
    }
}

/// One change, after sorting and deduplication.
struct Change {
    let key: Hash32
    let value: [UInt8]?
}
