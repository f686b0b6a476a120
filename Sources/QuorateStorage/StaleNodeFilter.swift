import QuorateCore

/// Which state nodes the stale-node index still lists (heights not yet pruned), by the first 8
/// bytes of their hash, with a count per prefix (a node superseded, revived and superseded again
/// is listed at two heights).
///
/// A commit must record a new node as revived only when the pruner could still delete it: when
/// a height it has not pruned lists it as stale. Every other new node is either truly new or a
/// node no pruned height will ever touch again, so no record is needed. Asking LevelDB whether
/// each new node already exists (what the commit did before) cost a read per new tree node on
/// the commit path; this filter answers "certainly not listed" from memory, and only a prefix
/// match goes to LevelDB for the exact answer.
///
/// Bounded: past `capacity` prefixes the filter gives up (`isComplete` false) and every new node
/// is checked in LevelDB again, as before, until the next start rebuilds it.
struct StaleNodeFilter: Sendable {
    /// About 20 MB of dictionary at most: 128 heights of 8,000 superseded nodes each.
    static let defaultCapacity = 1_000_000

    private var counts: [UInt64: UInt32] = [:]
    let capacity: Int
    /// False once the filter overflowed: nothing it says can be trusted any more.
    private(set) var isComplete = true

    init(capacity: Int = StaleNodeFilter.defaultCapacity) {
        precondition(capacity > 0, "a filter needs room for at least one prefix")
        self.capacity = capacity
    }

    static func prefix(_ hash: Hash32) -> UInt64 {
        hash.bytes.withUnsafeBufferPointer { b in
            var word: UInt64 = 0
            for i in 0..<8 { word = word << 8 | UInt64(b[i]) }
            return word
        }
    }

    /// False only when no unpruned height lists `hash` (or a node sharing its prefix).
    func mayList(_ hash: Hash32) -> Bool {
        !isComplete || counts[Self.prefix(hash)] != nil
    }

    /// One height's superseded nodes, as the index value holds them (32 bytes each).
    mutating func add(indexValue value: [UInt8]) {
        forEachPrefix(value) { add($0) }
    }

    mutating func add(_ hashes: [Hash32]) {
        for hash in hashes { add(Self.prefix(hash)) }
    }

    /// A pruned height's list: its nodes are no longer listed there.
    mutating func remove(indexValue value: [UInt8]) {
        guard isComplete else { return }
        forEachPrefix(value) { prefix in
            guard let n = counts[prefix] else { return }
            counts[prefix] = n > 1 ? n - 1 : nil
        }
    }

    /// Forgets everything and starts complete again (the index was dropped).
    mutating func reset() {
        counts = [:]
        isComplete = true
    }

    /// Gives up: used when the index cannot be read whole.
    mutating func markIncomplete() {
        counts = [:]
        isComplete = false
    }

    private mutating func add(_ prefix: UInt64) {
        guard isComplete else { return }
        if let n = counts[prefix] {
            counts[prefix] = n &+ 1
        } else if counts.count >= capacity {
            markIncomplete()
        } else {
            counts[prefix] = 1
        }
    }

    private func forEachPrefix(_ value: [UInt8], _ body: (UInt64) -> Void) {
        value.withUnsafeBufferPointer { b in
            var offset = 0
            while offset + 32 <= b.count {
                var word: UInt64 = 0
                for i in 0..<8 { word = word << 8 | UInt64(b[offset + i]) }
                body(word)
                offset += 32
            }
        }
    }
}
