import QuorateCore

/// One pass of `SparseMerkleTree.apply`: walks the old tree along the changed paths only,
/// rebuilds them bottom-up and records each node the new tree needs that the old one lacked.
struct BatchUpdater {
    /// What a subtree turned out to be. A single leaf may move up when its sibling empties, so the
    /// parent must know; an untouched subtree's kind is only loaded when that question arises.
    enum Kind { case empty, leaf, `internal`, unknown }

    struct Subtree {
        let hash: Hash32
        let kind: Kind
        static let empty = Subtree(hash: Hash32.zero, kind: .empty)
    }

    let reader: StateNodeReader
    /// Hashes read from the old tree: the store has them, so they are not new nodes.
    private var existing: Set<Hash32> = []
    private var emitted: Set<Hash32> = []
    private(set) var newNodes: [(hash: Hash32, encoded: [UInt8])] = []
    /// Nodes of the old tree this batch replaced, in the order met; `staleNodes` drops those the
    /// new tree still holds (a leaf rebuilt unchanged).
    private var superseded: [Hash32] = []
    private var reused: Set<Hash32> = []

    /// Nodes of the old tree that the new tree no longer holds: what pruning may delete once no
    /// retained root needs them. Deterministic order.
    var staleNodes: [Hash32] { superseded.filter { !reused.contains($0) } }

    init(reader: StateNodeReader) { self.reader = reader }

    /// Rewrites the subtree `hash` at `depth`; every change shares the subtree's `depth`-bit prefix.
    mutating func update(_ hash: Hash32, depth: Int, _ changes: ArraySlice<Change>) throws -> Subtree {
        if changes.isEmpty { return Subtree(hash: hash, kind: hash == Hash32.zero ? .empty : .unknown) }
        if hash == Hash32.zero {
            return build(changes.compactMap(Self.leafEntry)[...], depth: depth)
        }
        switch try load(hash) {
        case .leaf(let key, let value):
            // The old leaf stays unless the batch changes its key; then the region is rebuilt
            // from scratch: it held one key, so that costs nothing beyond the new keys' paths.
            superseded.append(hash)
            var entries = changes.compactMap(Self.leafEntry)
            if !changes.contains(where: { $0.key == key }) {
                let at = entries.firstIndex { key < $0.key } ?? entries.endIndex
                entries.insert((key, value), at: at)
            }
            return build(entries[...], depth: depth)
        case .internal(let left, let right):
            guard depth < 256 else { throw StateError.corruptNode(hash, reason: "internal node below depth 256") }
            let split = Self.firstRight(changes, depth: depth)
            let newLeft = try update(left, depth: depth + 1, changes[..<split])
            let newRight = try update(right, depth: depth + 1, changes[split...])
            if newLeft.hash == left && newRight.hash == right { return Subtree(hash: hash, kind: .internal) }
            superseded.append(hash)
            return try join(newLeft, newRight)
        }
    }

    /// Parent of two rewritten children, in canonical shape: nothing for two empties, the leaf
    /// itself for a leaf beside an empty (it moves up), an internal node otherwise.
    private mutating func join(_ left: Subtree, _ right: Subtree) throws -> Subtree {
        switch (left.kind, right.kind) {
        case (.empty, .empty): return .empty
        case (.empty, _):
            let only = try resolved(right)
            if only.kind == .leaf { return only }
        case (_, .empty):
            let only = try resolved(left)
            if only.kind == .leaf { return only }
        default: break
        }
        return emit(.internal(left: left.hash, right: right.hash), kind: .internal)
    }

    /// The subtree with its kind known, loading its top node if the kind was not yet needed.
    private mutating func resolved(_ subtree: Subtree) throws -> Subtree {
        guard subtree.kind == .unknown else { return subtree }
        switch try load(subtree.hash) {
        case .leaf: return Subtree(hash: subtree.hash, kind: .leaf)
        case .internal: return Subtree(hash: subtree.hash, kind: .internal)
        }
    }

    /// Canonical subtree for a sorted list of distinct keys that share `depth` prefix bits.
    private mutating func build(_ entries: ArraySlice<(key: Hash32, value: [UInt8])>, depth: Int) -> Subtree {
        switch entries.count {
        case 0: return .empty
        case 1: return emit(.leaf(key: entries.first!.key, value: entries.first!.value), kind: .leaf)
        default:
            // Distinct keys differ somewhere in 256 bits, so two of them never reach depth 256.
            precondition(depth < 256, "two distinct keys share all 256 bits")
            var split = entries.startIndex
            while split < entries.endIndex && entries[split].key.pathBit(depth) == 0 { split += 1 }
            let left = build(entries[..<split], depth: depth + 1)
            let right = build(entries[split...], depth: depth + 1)
            return emit(.internal(left: left.hash, right: right.hash), kind: .internal)
        }
    }

    private mutating func load(_ hash: Hash32) throws -> StateNode {
        let node = try reader.loadNode(hash)
        existing.insert(hash)
        return node
    }

    private mutating func emit(_ node: StateNode, kind: Kind) -> Subtree {
        let hash = node.hash
        if existing.contains(hash) { reused.insert(hash) }
        if !existing.contains(hash) && emitted.insert(hash).inserted {
            newNodes.append((hash: hash, encoded: node.encoded))
        }
        return Subtree(hash: hash, kind: kind)
    }

    private static func leafEntry(_ change: Change) -> (key: Hash32, value: [UInt8])? {
        change.value.map { (change.key, $0) }
    }

    /// Index of the first change whose bit `depth` is 1; the slice is sorted, so the 0s come first.
    private static func firstRight(_ changes: ArraySlice<Change>, depth: Int) -> Int {
        var low = changes.startIndex, high = changes.endIndex
        while low < high {
            let mid = (low + high) / 2
            if changes[mid].key.pathBit(depth) == 0 { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
