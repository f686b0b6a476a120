import QuorateCore
import QuorateState

/// The state-tree nodes a node holds in memory between two flushes (docs/architecture.md,
/// "Decision: the state tree reaches the disk every few heights").
///
/// With about a thousand accounts every block rewrites most of the tree; writing each version
/// and deleting it again 128 heights later made LevelDB compact every node twice, about half of
/// each block's fixed cost. Here a node reaches the disk only if it is still in the tree at a
/// flush; a node created and superseded between two flushes never does, and is kept in memory
/// (`recent`) while the state retention still promises the heights that read it.
///
/// A value: `ChainStore` holds it under a lock and does the writes.
struct UnflushedStateNodes: Sendable {
    /// Bound on `recent`: past it the oldest superseded nodes are forgotten, and historical reads
    /// of the heights that held them fail as pruned ones do. 64 MiB is about 128 heights of the
    /// bench's blocks.
    static let recentBytesMax = 64 << 20

    /// Nodes of the newest tree that the disk lacks: every one is written at the next flush.
    private(set) var unflushed: [Hash32: [UInt8]] = [:]
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
    /// The height of the newest tree on disk whole: the heights after it are rebuilt from their
    /// blocks after a restart, so their blocks must be kept.
    var flushedHeight: UInt64 = 0

    /// What a flush adds to its block's batch.
    struct Flush {
        /// Every node of the newest tree the disk lacks.
        var nodes: [(hash: Hash32, encoded: [UInt8])]
        /// Nodes on disk that the newest tree no longer holds (the pruner's list for the flush height).
        var superseded: [Hash32]

        var asUpdate: StateUpdate { StateUpdate(newRoot: Hash32.zero, newNodes: nodes, staleNodes: superseded) }
    }

    func node(_ hash: Hash32) -> [UInt8]? { unflushed[hash] ?? recent[hash]?.bytes }

    var isEmpty: Bool { unflushed.isEmpty && supersededOnDisk.isEmpty }

    /// The flush a block's batch would carry if the block applied `update` and flushed, computed
    /// without changing anything: the write may still fail.
    func flush(after update: StateUpdate) -> Flush {
        let superseded = Set(update.staleNodes)
        var nodes = unflushed.filter { !superseded.contains($0.key) }
        for node in update.newNodes { nodes[node.hash] = node.encoded }
        let onDisk = supersededOnDisk + update.staleNodes.filter { unflushed[$0] == nil }
        return Flush(nodes: nodes.map { (hash: $0.key, encoded: $0.value) },
                     superseded: onDisk.filter { nodes[$0] == nil })
    }

    /// The block at `height` applied `update` (its batch is written; `flushed` when it carried the flush).
    mutating func absorb(_ update: StateUpdate, height: UInt64, flushed: Bool) {
        var forgotten: [Hash32] = []
        for hash in update.staleNodes {
            if let bytes = unflushed.removeValue(forKey: hash) {
                unflushedBytes -= bytes.count
                if let old = recent.updateValue((bytes, height), forKey: hash) { recentBytes -= old.bytes.count }
                recentBytes += bytes.count
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
            unflushedBytes += node.encoded.count
        }
    }

    /// Forgets superseded nodes that no retained height reads any more (superseded at or below
    /// `height`), then the oldest others while they exceed `bytesMax`.
    mutating func forgetRecent(supersededThrough height: UInt64, bytesMax: Int = recentBytesMax) {
        while recentFirst < recentByHeight.count,
              recentByHeight[recentFirst].height <= height || recentBytes > bytesMax {
            let entry = recentByHeight[recentFirst]
            for hash in entry.hashes where recent[hash]?.supersededAt == entry.height {
                recentBytes -= recent.removeValue(forKey: hash)!.bytes.count
            }
            recentFirst += 1
        }
        if recentFirst > 1_024 && recentFirst * 2 > recentByHeight.count {
            recentByHeight.removeFirst(recentFirst)
            recentFirst = 0
        }
    }
}
