import QuorateCore
import QuorateState

/// How often the state tree is written whole (docs/architecture.md, "Decision (the state tree
/// reaches the disk every 16 heights)").
public struct StateFlushPolicy: Sendable, Equatable {
    /// The tree is written at every height that is a multiple of this (1: every height).
    public var intervalHeights: UInt64 = 1
    /// Superseded nodes that were never written are kept in memory while a height this far
    /// behind the head may still read them (the state retention).
    public var recentHeights: UInt64 = 0
    /// Memory for those nodes; past it the oldest are written after all (`UnflushedStateNodes`).
    public var recentBytesMax: Int
    /// The tree is written at heights whose remainder by the interval is this: validators take
    /// different phases, so that no height carries every validator's write at once.
    public var phaseHeights: UInt64

    public init(intervalHeights: UInt64 = 1, recentHeights: UInt64 = 0,
                recentBytesMax: Int = UnflushedStateNodes.recentBytesMax, phaseHeights: UInt64 = 0) {
        precondition(intervalHeights >= 1, "the tree is written at least every height")
        precondition(recentBytesMax >= 0, "a memory bound cannot be negative")
        precondition(phaseHeights < intervalHeights, "the phase is a remainder of the interval")
        self.phaseHeights = phaseHeights
        self.intervalHeights = intervalHeights
        self.recentHeights = recentHeights
        self.recentBytesMax = recentBytesMax
    }

    /// A node that prunes its state (the default retention of 128 heights): the tree is written
    /// every 16 heights, so an upper node rewritten by each of them reaches the disk once.
    /// At most 16 blocks are executed again after a crash.
    public static let defaultIntervalHeights: UInt64 = 16

    /// The phase of the validator at `index` of `count`: spread evenly over the interval.
    public static func phase(validatorIndex index: Int, of count: Int, intervalHeights: UInt64) -> UInt64 {
        precondition(index >= 0 && index < count, "the index is one of the set's")
        return UInt64(index) * intervalHeights / UInt64(count) % intervalHeights
    }
}

/// How a committed block's state tree reaches the disk (docs/architecture.md, "Block sync").
public enum TreeWrite: Sendable, Equatable {
    /// At the heights the flush policy names; the nodes superseded in between stay in memory
    /// while a retained height reads them (consensus).
    case scheduled
    /// Whole with the block, whatever the interval (block sync near the chain's tip).
    case whole
    /// At the policy's heights, and the nodes superseded in between are kept one height only
    /// (block sync far below the tip: those heights will be out of the retention when it is
    /// done). The heights before the block's parent answer as pruned (`oldestState()`).
    case passing
}

extension ChainStore {
    /// How block sync writes the block at `height` while the best peer is at `highestHeight`: a
    /// height that the state retention will have dropped once the node reaches that peer is
    /// passed; the others are written whole, and so is every height of a node that keeps every
    /// state (its tree is written at every height).
    public func treeWriteForSyncedBlock(at height: UInt64, highestHeight: UInt64) -> TreeWrite {
        let policy = stateFlushPolicy.withLock { $0 }
        let passes = policy.intervalHeights > 1 && height < highestHeight && highestHeight - height > policy.recentHeights
        return passes ? .passing : .whole
    }

    /// How long a passed block keeps what it supersedes: one height, for a reader of the previous
    /// head (none when the node retains none).
    var passingKeptHeights: UInt64 { min(1, stateFlushPolicy.withLock { $0.recentHeights }) }

    /// Written early, whatever the interval, once the unwritten nodes take this much memory.
    public static let unflushedBytesMax = 32 << 20

    /// Sets how often the tree is written. An archive node (no state pruning) must keep every
    /// height's tree on disk, so it keeps the interval at 1.
    public func configureStateFlush(_ policy: StateFlushPolicy) {
        stateFlushPolicy.withLock { $0 = policy }
    }

    /// The height of the newest state tree on disk whole.
    public var stateFlushedHeight: UInt64 { unflushedState.withLock { $0.flushedHeight } }

    /// The tree nodes this height's batch writes: the flush, when the height is due for one (or
    /// the unwritten nodes have grown past their bound), and the superseded nodes pushed out of
    /// memory since the last block. nil when there are none. Called with the commit lock held.
    func stateWrites(after update: StateUpdate, height: UInt64, force: Bool = false) -> UnflushedStateNodes.Writes? {
        let policy = stateFlushPolicy.withLock { $0 }
        return unflushedState.withLock { layer in
            // The gap bounds what a restart executes again, whatever phase wrote last.
            let due = force || height % policy.intervalHeights == policy.phaseHeights
                || height >= layer.flushedHeight + policy.intervalHeights || layer.unflushedBytes >= Self.unflushedBytesMax
            return layer.writes(after: update, flushing: due)
        }
    }

    /// Puts `writes` in the batch of `height`, with the pruner's list of what they supersede
    /// (merged with a list already stored at that height). Returns the nodes recorded as revived.
    func addStateWrites(_ writes: UnflushedStateNodes.Writes, height: UInt64, index: PruneIndexState,
                        into batch: inout WriteBatch) throws -> [Hash32] {
        for node in writes.nodes { batch.put(StoreKeys.stateNode(node.hash), node.encoded) }
        if writes.flushed { batch.put(StoreKeys.metaStateFlushed, StoreKeys.be(height)) }
        guard index.indexing else { return [] }
        let listed = try db.get(StoreKeys.staleNodes(height)) ?? []
        let update = StateUpdate(newRoot: Hash32.zero, newNodes: writes.nodes, staleNodes: writes.superseded)
        let revived = try indexStaleNodes(update, height: height, filter: index.filter, into: &batch)
        if !listed.isEmpty { batch.put(StoreKeys.staleNodes(height), listed + writes.superseded.flatMap(\.bytes)) }
        return revived
    }

    /// After the block at `height` is written: its nodes join the layer (or left it, flushed).
    /// `passing` keeps the superseded nodes one height, for a reader of the previous head (the
    /// batch moved the oldest state up to it).
    func absorb(_ update: StateUpdate, height: UInt64, flushed: Bool, passing: Bool = false) {
        let policy = stateFlushPolicy.withLock { $0 }
        let kept = passing ? passingKeptHeights : policy.recentHeights
        unflushedState.withLock { layer in
            layer.absorb(update, height: height, flushed: flushed)
            layer.forgetRecent(supersededThrough: height > kept ? height - kept : 0, bytesMax: policy.recentBytesMax)
        }
    }

    /// Writes the unwritten part of the head's tree now, and the superseded nodes the retained
    /// heights still read (a clean stop): the next start executes nothing again and every
    /// retained height reads from disk. Synced.
    public func flushState() throws {
        try writeLock.withLock { state in
            let height = head.height
            let empty = StateUpdate(newRoot: head.stateRoot, newNodes: [])
            let writes = unflushedState.withLock { layer -> UnflushedStateNodes.Writes? in
                layer.spillAllRecent()
                return layer.isEmpty ? nil : layer.writes(after: empty, flushing: true)
            }
            var batch = WriteBatch()
            try markFirstBatch(&batch, index: &state)
            batch.put(StoreKeys.metaCleanStop, StoreKeys.be(height))
            guard let writes else { return try db.write(batch, sync: true) }
            try write(batch, stateWrites: writes, after: empty, height: height, sync: true, index: &state)
        }
    }

    /// The first batch a process writes records what its open found, which only memory knew:
    /// the oldest state it can read (a rebuild, or an unclean stop right after a write of the
    /// tree), so that it outlives the next clean stop; and, for a store that keeps nodes in
    /// memory between writes of the tree, that a process runs (`m/cleanStop` holds no height
    /// until a clean stop records its head). A store that writes every height's tree keeps
    /// nothing in memory, and has no mark.
    func markFirstBatch(_ batch: inout WriteBatch, index: inout PruneIndexState) throws {
        guard !index.processMarked else { return }
        index.processMarked = true
        if let floor = stateFloorAtOpen, floor > (try db.get(StoreKeys.metaOldestState).flatMap(StoreKeys.uint64)) ?? 0 {
            batch.put(StoreKeys.metaOldestState, StoreKeys.be(floor))
        }
        if stateFlushPolicy.withLock({ $0.intervalHeights > 1 }) {
            batch.put(StoreKeys.metaCleanStop, StoreKeys.be(Self.runningMark))
        } else {
            batch.delete(StoreKeys.metaCleanStop)
        }
    }

    /// `m/cleanStop` while a process that keeps nodes in memory runs: no head is this high.
    static let runningMark = UInt64.max

    /// Writes `batch` with the tree nodes of `writes`, then moves the memory layer and the
    /// pruner's filter on, in that order: nothing leaves memory before it is on disk. Called
    /// with the commit lock held (its state is `index`).
    func write(_ batch: WriteBatch, stateWrites writes: UnflushedStateNodes.Writes?, after update: StateUpdate,
               height: UInt64, sync: Bool, passing: Bool = false, index: inout PruneIndexState) throws {
        var batch = batch
        try markFirstBatch(&batch, index: &index)
        let revived = try writes.map { try addStateWrites($0, height: height, index: index, into: &batch) } ?? []
        if passing {
            // In the same batch, so before the nodes leave memory: a reader of an older height
            // (now, or after a restart) is told it is pruned rather than meet a missing node.
            batch.put(StoreKeys.metaOldestState, StoreKeys.be(height - passingKeptHeights))
        }
        // In every batch: a store whose marker is absent reads as whole at its head.
        if writes?.flushed != true { batch.put(StoreKeys.metaStateFlushed, StoreKeys.be(stateFlushedHeight)) }
        batch.put(StoreKeys.metaSchemaVersion, StoreKeys.be(ChainStore.schemaVersion))
        try db.write(batch, sync: sync)
        absorb(update, height: height, flushed: writes?.flushed ?? false, passing: passing)
        if index.indexing, let writes {
            index.filter.add(writes.superseded)
            index.revived.add(revived)
        }
    }

    /// On open: executes again the blocks after the last tree written whole, from their stored
    /// bodies and the senders their receipts recorded, and checks each result against the state
    /// root its certified header commits to. Writes nothing; the next flush does.
    /// Also sets `stateFloorAtOpen`: the heights before the last write of the tree lost the
    /// superseded nodes only memory held when the last stop was not clean, whether or not there
    /// is anything to execute again (a kill right after a write leaves nothing).
    func rebuildUnflushedState() throws {
        let head = self.head
        let flushed = try db.get(StoreKeys.metaStateFlushed).flatMap(StoreKeys.uint64).map { min($0, head.height) } ?? head.height
        unflushedState.withLock { $0.flushedHeight = flushed }
        // No mark: the last process kept nothing in memory (or wrote before the mark existed).
        let cleanStop = try db.get(StoreKeys.metaCleanStop).flatMap(StoreKeys.uint64)
        if flushed < head.height || (head.height > 0 && cleanStop != nil && cleanStop != head.height) {
            stateFloorAtOpen = flushed
        }
        guard flushed < head.height else { return }
        guard var parent = try block(at: flushed)?.header else {
            throw StoreError("block \(flushed), the last whose state was written whole, is missing: the store is damaged; restore the data directory from a backup or resync")
        }
        let rules = ChainRules(genesis: genesis)
        for height in (flushed + 1)...head.height {
            guard let block = try block(at: height) else {
                throw StoreError("block \(height) is missing, so its state cannot be rebuilt: the store is damaged; restore the data directory from a backup or resync")
            }
            let executed: ExecutedBlock
            do {
                executed = try reexecute(block, parent: parent, rules: rules)
            } catch {
                throw StoreError("block \(height) does not rebuild the state its header commits to (\(error)): the store cannot be trusted; restore the data directory from a backup or resync")
            }
            // Nothing is forgotten here: the policy that says what to keep comes after the open,
            // and these are at most an interval's worth of heights.
            unflushedState.withLock { $0.absorb(executed.stateUpdate, height: height, flushed: false) }
            parent = block.header
        }
        rebuiltStateHeights = (flushed + 1)...head.height
    }

    private func reexecute(_ block: Block, parent header: BlockHeader, rules: ChainRules) throws -> ExecutedBlock {
        let recorded = try senders(at: block.height) ?? []
        var senders: [Hash32: Address] = [:]
        for (tx, sender) in zip(block.transactions, recorded) { senders[tx.hash] = sender }
        var parent = ParentState(header: header, validators: try validators(at: header.height),
                                 nextValidators: try validators(at: block.height),
                                 accounts: CommittedAccounts(root: header.stateRoot, nodes: self, codes: self), nodes: self)
        parent.blockHashes = { [self] height in self.blockHash(at: height) }
        return try BlockValidator.validate(block, parent: parent, rules: rules) { tx in
            try senders[tx.hash] ?? tx.recoverSender()
        }
    }
}
