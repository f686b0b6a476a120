import QuorateCore
import QuorateState

/// The state-tree nodes a node holds in memory between two flushes (docs/architecture.md,
/// "Decision (the state tree reaches the disk every 16 heights)").
///
/// With about a thousand accounts every block rewrites most of the tree; writing each version
/// and deleting it again 128 heights later made LevelDB compact every node twice, about half of
/// each block's fixed cost. Here a node reaches the disk only if it is still in the tree at a
/// flush; a node created and superseded between two flushes is kept in memory (`recent`) while
/// the state retention still promises a height that reads it, and reaches the disk only if
/// memory runs short (`spill`).
///
/// A value: `ChainStore` holds it under a lock and does the writes.
public struct UnflushedStateNodes: Sendable {
    /// Bound on `recent`: past it the oldest superseded nodes are written after all (and listed for
    /// the pruner), so the retention still holds. 48 MiB holds the 128 heights the retention keeps
    /// of the bench's chain (1,000 accounts).
    public static let recentBytesMax = 48 << 20
    /// What one node costs in memory besides its encoding (dictionary slot, key, array header
    /// and allocator rounding), counted in every bound so that they bound memory.
    static let entryOverheadBytes = 160

    /// Nodes of the newest tree that the disk lacks: every one is written at the next flush.
    private var unflushed: [Hash32: [UInt8]] = [:]
    private(set) var unflushedBytes = 0
    /// Nodes on disk that blocks since the last flush superseded: the flush lists them for the
    /// pruner (unless the newest tree holds them again).
    private var supersededOnDisk: [Hash32] = []
    /// Nodes created and superseded between flushes, with the height that superseded them.
    private var recent: [Hash32: (bytes: [UInt8], supersededAt: UInt64)] = [:]
    /// The same nodes by height, ascending, so the oldest go first.
    private var recentByHeight: [(height: UInt64, hashes: [Hash32])] = []
    private var recentFirst = 0
    private(set) var recentBytes = 0
    /// Superseded nodes pushed out of `recent` by its bound: the next block writes them.
    private var spill: [Hash32: [UInt8]] = [:]
    /// The height of the newest tree on disk whole: the heights after it are rebuilt from their
    /// blocks after a restart, so their blocks must be kept.
    var flushedHeight: UInt64 = 0

    /// The tree nodes one block's batch writes.
    struct Writes {
        /// For a flush, every node of the newest tree the disk lacks; and the spilled nodes.
        var nodes: [(hash: Hash32, encoded: [UInt8])]
        /// What the pruner may delete once this height leaves the retention: nodes on disk that
        /// the newest tree no longer holds, and the spilled nodes.
        var superseded: [Hash32]
        var flushed: Bool
    }

    private static func cost(_ encoded: [UInt8]) -> Int { encoded.count + entryOverheadBytes }

    func node(_ hash: Hash32) -> [UInt8]? { unflushed[hash] ?? recent[hash]?.bytes ?? spill[hash] }

    var isEmpty: Bool { unflushed.isEmpty && supersededOnDisk.isEmpty && spill.isEmpty }

    /// What the batch of the block applying `update` writes, computed without changing anything
    /// (the write may still fail); nil when it writes no node.
    func writes(after update: StateUpdate, flushing: Bool) -> Writes? {
        // Most blocks neither flush nor spill: they write no node and pay for nothing here.
        if !flushing && spill.isEmpty { return nil }
        var nodes: [(hash: Hash32, encoded: [UInt8])] = []
        var superseded: [Hash32] = []
        let new = Set(update.newNodes.map(\.hash))
        if flushing {
            // Built as a list, not a dictionary: the flush of a large tree would double its memory.
            let gone = Set(update.staleNodes)
            nodes.reserveCapacity(unflushed.count + update.newNodes.count)
            for (hash, bytes) in unflushed where !gone.contains(hash) && !new.contains(hash) { nodes.append((hash, bytes)) }
            nodes += update.newNodes
            let onDisk = supersededOnDisk + update.staleNodes.filter { unflushed[$0] == nil }
            let live = { (hash: Hash32) in (unflushed[hash] != nil && !gone.contains(hash)) || new.contains(hash) }
            superseded = onDisk.filter { !live($0) }
        }
        // A spilled node the newest tree holds again is live: the flush writes it, unlisted.
        for (hash, bytes) in spill where unflushed[hash] == nil && !new.contains(hash) {
            nodes.append((hash, bytes))
            superseded.append(hash)
        }
        if nodes.isEmpty && !flushing { return nil }
        return Writes(nodes: nodes, superseded: superseded, flushed: flushing)
    }

    /// The block at `height` applied `update` and its batch is written (with the flush, when
    /// `flushed`, and with every spilled node).
    mutating func absorb(_ update: StateUpdate, height: UInt64, flushed: Bool) {
        spill = [:]
        // A node created again is live: its old `recent` entry must never spill and be listed
        // for the pruner (its entry in `recentByHeight` is skipped by the height check).
        for node in update.newNodes {
            if let old = recent.removeValue(forKey: node.hash) { recentBytes -= Self.cost(old.bytes) }
        }
        var forgotten: [Hash32] = []
        for hash in update.staleNodes {
            if let bytes = unflushed.removeValue(forKey: hash) {
                unflushedBytes -= Self.cost(bytes)
                if let old = recent.updateValue((bytes, height), forKey: hash) { recentBytes -= Self.cost(old.bytes) }
                recentBytes += Self.cost(bytes)
                forgotten.append(hash)
            } else {
                supersededOnDisk.append(hash)
            }
        }
        if !forgotten.isEmpty { recentByHeight.append((height, forgotten)) }
        if flushed {
            flushedHeight = height
            unflushed = [:]
            unflushedBytes = 0
            supersededOnDisk = []
            return
        }
        for node in update.newNodes where unflushed.updateValue(node.encoded, forKey: node.hash) == nil {
            unflushedBytes += Self.cost(node.encoded)
        }
    }

    /// Moves every superseded node still in memory to `spill` (a clean stop writes them, so a
    /// restart loses no retained height).
    mutating func spillAllRecent() {
        for (hash, entry) in recent { spill[hash] = entry.bytes }
        recent = [:]
        recentByHeight = []
        recentFirst = 0
        recentBytes = 0
    }

    /// Drops superseded nodes that no retained height reads any more (superseded at or below
    /// `height`); then, while the rest exceed `bytesMax`, moves the oldest to `spill`.
    mutating func forgetRecent(supersededThrough height: UInt64, bytesMax: Int = recentBytesMax) {
        while recentFirst < recentByHeight.count,
              recentByHeight[recentFirst].height <= height || recentBytes > bytesMax {
            let entry = recentByHeight[recentFirst]
            let needed = entry.height > height
            for hash in entry.hashes {
                guard let removed = recent.removeValue(forKey: hash) else { continue }
                // Superseded again at a later height (it came back in between): that entry holds it.
                if removed.supersededAt != entry.height {
                    recent[hash] = removed
                    continue
                }
                recentBytes -= Self.cost(removed.bytes)
                if needed { spill[hash] = removed.bytes }
            }
            // The list's hashes share their storage with the dictionary's keys: release them now.
            recentByHeight[recentFirst].hashes = []
            recentFirst += 1
        }
        if recentFirst > 64 && recentFirst * 2 > recentByHeight.count {
            recentByHeight.removeFirst(recentFirst)
            recentFirst = 0
        }
    }
}
