import QuorateCore
import QuorateState

/// Pruning (docs/operations.md, "Pruning"). State: each commit records, in its own batch, the
/// tree nodes its block superseded (`s` height -> their hashes); once a height is older than the retention,
/// the pruner deletes those nodes, unless a later block wrote the same node again (content
/// addressing: an earlier subtree came back; recorded as `p` hash -> height). Blocks: bodies,
/// receipts, certificates and indexes older than their retention are deleted.
/// What the commit lock guards besides the writes themselves.
struct PruneIndexState: Sendable {
    /// True while commits index their superseded nodes (state pruning on).
    var indexing = false
    /// The nodes the index lists at heights not yet pruned (kept in step with it while indexing).
    var filter = StaleNodeFilter()
    /// The nodes with a revived record (`p` hash), so the pruner reads a record only when one
    /// may exist (they are rare: a subtree that came back).
    var revived = StaleNodeFilter()
    /// The lowest height the index may still list: the pruner deleted every list below it in
    /// this run, and starts its scan here rather than walking their deletion markers, which
    /// LevelDB keeps until a compaction drops them.
    var unprunedFrom: UInt64 = 0
    /// Whether this process wrote its first batch (`ChainStore.markFirstBatch`).
    var processMarked = false
}

extension ChainStore {
    /// Marker: the height from which every commit indexed its superseded nodes.
    static let pruneIndexFrom = Array("m/pruneIndexFrom".utf8)
    /// Entries deleted per batch: the commit lock is held only this long.
    public static let pruneBatchEntries = 1_000
    /// The least block retention a node accepts (`--block-retention-heights`): BLOCKHASH reads the
    /// hashes of the last 256 blocks (`RecentBlockHashes`, filled on open from their certificates
    /// and headers), so a node that kept fewer would execute them differently from its peers, and
    /// a block executed again after a restart differently from the first time.
    public static let blockHashWindow: UInt64 = 256

    /// Turns the stale-node index on (state pruning) or off. Off drops an index left by an earlier
    /// run: revivals are not recorded while it is off, so that index could no longer be trusted.
    public func configureStatePruning(_ on: Bool) throws {
        if on {
            try writeLock.withLock { state in
                guard !state.indexing else { return }
                if try db.get(Self.pruneIndexFrom) == nil {
                    try db.put(Self.pruneIndexFrom, StoreKeys.be(head.height + 1), sync: true)
                }
                state.filter = try loadFilter(prefix: StoreKeys.staleNodePrefix) { $1 }
                state.revived = try loadFilter(prefix: StoreKeys.revivedNodePrefix) { key, _ in Array(key.dropFirst()) }
                state.indexing = true
            }
            return
        }
        writeLock.withLock { $0 = PruneIndexState() }
        guard try db.get(Self.pruneIndexFrom) != nil else { return }
        for prefix in [StoreKeys.staleNodePrefix, [UInt8(ascii: "p")]] {
            while true {
                let keys = try db.scan(prefix: prefix, limit: Self.pruneBatchEntries).map(\.key)
                if keys.isEmpty { break }
                var batch = WriteBatch()
                keys.forEach { batch.delete($0) }
                try db.write(batch, sync: false)
            }
        }
        try db.delete(Self.pruneIndexFrom, sync: true)
    }

    /// A filter of the hashes stored under `prefix` (`hashes` gives them from a key and value),
    /// read whole at start, before any commit.
    private func loadFilter(prefix: [UInt8], _ hashes: ([UInt8], [UInt8]) -> [UInt8]) throws -> StaleNodeFilter {
        var filter = StaleNodeFilter()
        try db.iterate(prefix: prefix) { key, value in
            filter.add(indexValue: hashes(key, value))
            return filter.isComplete
        }
        return filter
    }

    /// Adds this height's superseded nodes to the index, and records as revived each new node
    /// that an unpruned height lists as stale (the pruner must not delete it with that height).
    /// Only nodes the filter cannot rule out are looked up in LevelDB.
    /// Returns the nodes recorded as revived.
    @discardableResult
    func indexStaleNodes(_ update: StateUpdate, height: UInt64, filter: StaleNodeFilter, into batch: inout WriteBatch) throws -> [Hash32] {
        if !update.staleNodes.isEmpty { batch.put(StoreKeys.staleNodes(height), update.staleNodes.flatMap(\.bytes)) }
        var revived: [Hash32] = []
        for node in update.newNodes where filter.mayList(node.hash) {
            if try db.get(StoreKeys.stateNode(node.hash)) != nil {
                batch.put(StoreKeys.revivedNode(node.hash), StoreKeys.be(height))
                revived.append(node.hash)
            }
        }
        return revived
    }

    /// Deletes the nodes superseded by the oldest heights up to `head - retention`, whole heights
    /// at a time, stopping after the height that reaches `pruneBatchEntries` nodes. Returns the
    /// number of heights processed (0: nothing left to do now).
    @discardableResult
    public func pruneStateStep(retention: UInt64) throws -> Int {
        let head = self.head.height
        guard head > retention else { return 0 }
        let target = head - retention
        return try writeLock.withLock { state -> Int in
            guard state.indexing else { return 0 }
            var batch = WriteBatch()
            var prunedLists: [[UInt8]] = []
            var revivedDeleted: [Hash32] = []
            var heights = 0, nodes = 0
            var reached: UInt64?
            try db.iterate(prefix: StoreKeys.staleNodePrefix, from: StoreKeys.staleNodes(state.unprunedFrom)) { key, value in
                guard key.count == 9, let height = StoreKeys.uint64(Array(key.dropFirst())), value.count % 32 == 0 else {
                    throw StoreError("the stale-node index holds a malformed entry: the store is damaged")
                }
                guard height <= target else { return false }
                for offset in stride(from: 0, to: value.count, by: 32) {
                    let hash = Hash32(Array(value[offset..<(offset + 32)]))
                    let revivedKey = StoreKeys.revivedNode(hash)
                    let revived = state.revived.mayList(hash) ? try db.get(revivedKey).flatMap(StoreKeys.uint64) : nil
                    // A node written again by a later block is held by a retained root: kept.
                    if let revived, revived > height { continue }
                    batch.delete(StoreKeys.stateNode(hash))
                    if revived != nil {
                        batch.delete(revivedKey)
                        revivedDeleted.append(hash)
                    }
                }
                batch.delete(key)
                prunedLists.append(value)
                heights += 1
                nodes += value.count / 32
                reached = height
                return nodes < Self.pruneBatchEntries
            }
            let oldest = try oldestState() ?? 0
            if let reached, reached > oldest { batch.put(StoreKeys.metaOldestState, StoreKeys.be(reached)) }
            if reached == nil, oldest < target {
                // Every superseded node up to the target is gone: the target's tree is the oldest whole one.
                batch.put(StoreKeys.metaOldestState, StoreKeys.be(target))
            }
            if !batch.isEmpty { try db.write(batch, sync: false) }
            if let reached { state.unprunedFrom = reached + 1 }
            for list in prunedLists { state.filter.remove(indexValue: list) }
            state.revived.remove(indexValue: revivedDeleted.flatMap(\.bytes))
            return heights
        }
    }

    /// Deletes the bodies, receipts, certificates and indexes of up to `maxBlocks` blocks older
    /// than `head - retention` (never block 0, which `init` checks against the genesis file).
    @discardableResult
    public func pruneBlocksStep(retention: UInt64, maxBlocks: Int = 256) throws -> Int {
        let head = self.head.height
        guard head > retention + 1 else { return 0 }
        // A restart executes again the blocks after the last tree written whole, on top of it,
        // and the first of them reads the hashes of the 256 blocks before it (BLOCKHASH).
        let flushed = stateFlushedHeight
        let target = min(head - retention, flushed >= ChainStore.blockHashWindow - 1 ? flushed - (ChainStore.blockHashWindow - 1) : 0)
        var next = try oldestBlockBody() ?? 1
        guard next < target else { return 0 }
        var batch = WriteBatch()
        var pruned = 0
        while next < target, pruned < maxBlocks {
            if let block = try block(at: next) {
                for tx in block.transactions { batch.delete(StoreKeys.transactionLocation(tx.hash)) }
                batch.delete(StoreKeys.heightByHash(block.hash))
            }
            batch.delete(StoreKeys.block(next))
            batch.delete(StoreKeys.header(next))
            batch.delete(StoreKeys.receipts(next))
            batch.delete(StoreKeys.certificate(next))
            next += 1
            pruned += 1
        }
        batch.put(StoreKeys.metaOldestBlock, StoreKeys.be(next))
        try db.write(batch, sync: false)
        return pruned
    }
}
