import QuorateCore
import QuorateState

/// How often the state tree is written whole (docs/architecture.md, "Decision: the state tree
/// reaches the disk every few heights").
public struct StateFlushPolicy: Sendable, Equatable {
    /// The tree is written at every height that is a multiple of this (1: every height).
    public var intervalHeights: UInt64 = 1
    /// Superseded nodes that were never written are kept in memory while a height this far
    /// behind the head may still read them (the state retention).
    public var recentHeights: UInt64 = 0

    public init(intervalHeights: UInt64 = 1, recentHeights: UInt64 = 0) {
        precondition(intervalHeights >= 1, "the tree is written at least every height")
        self.intervalHeights = intervalHeights
        self.recentHeights = recentHeights
    }

    /// A node that prunes its state (the default retention of 128 heights): the tree is written
    /// every 16 heights, so an upper node rewritten by each of them reaches the disk once.
    /// At most 16 blocks are executed again after a crash.
    public static let defaultIntervalHeights: UInt64 = 16
}

extension ChainStore {
    /// Written early, whatever the interval, once the unwritten nodes take this much memory.
    public static let unflushedBytesMax = 64 << 20

    /// Sets how often the tree is written. An archive node (no state pruning) must keep every
    /// height's tree on disk, so it keeps the interval at 1.
    public func configureStateFlush(_ policy: StateFlushPolicy) {
        stateFlushPolicy.withLock { $0 = policy }
    }

    /// The height of the newest state tree on disk whole.
    public var stateFlushedHeight: UInt64 { unflushedState.withLock { $0.flushedHeight } }

    /// Puts the flush in `batch` when this height is due for one (or the unwritten nodes have
    /// grown past their bound); returns what it wrote. Called with the commit lock held.
    func flushIfDue(after update: StateUpdate, height: UInt64, into batch: inout WriteBatch) -> UnflushedStateNodes.Flush? {
        let policy = stateFlushPolicy.withLock { $0 }
        let flush = unflushedState.withLock { layer -> UnflushedStateNodes.Flush? in
            let due = height % policy.intervalHeights == 0 || layer.unflushedBytes >= Self.unflushedBytesMax
            return due ? layer.flush(after: update) : nil
        }
        guard let flush else { return nil }
        for node in flush.nodes { batch.put(StoreKeys.stateNode(node.hash), node.encoded) }
        batch.put(StoreKeys.metaStateFlushed, StoreKeys.be(height))
        return flush
    }

    /// After the block at `height` is written: its nodes join the layer (or left it, flushed).
    func absorb(_ update: StateUpdate, height: UInt64, flushed: Bool) {
        let recentHeights = stateFlushPolicy.withLock { $0.recentHeights }
        unflushedState.withLock { layer in
            layer.absorb(update, height: height, flushed: flushed)
            layer.forgetRecent(supersededThrough: height > recentHeights ? height - recentHeights : 0)
        }
    }

    /// Writes the unwritten part of the head's tree now (a clean stop), so that the next start
    /// executes nothing again. Synced.
    public func flushState() throws {
        try writeLock.withLock { state in
            let height = head.height
            let empty = StateUpdate(newRoot: head.stateRoot, newNodes: [])
            let flush = unflushedState.withLock { $0.isEmpty ? nil : $0.flush(after: empty) }
            guard let flush else { return }
            var batch = WriteBatch()
            for node in flush.nodes { batch.put(StoreKeys.stateNode(node.hash), node.encoded) }
            batch.put(StoreKeys.metaStateFlushed, StoreKeys.be(height))
            let revived = state.indexing
                ? try indexStaleNodes(flush.asUpdate, height: height, filter: state.filter, into: &batch) : []
            try db.write(batch, sync: true)
            absorb(empty, height: height, flushed: true)
            if state.indexing {
                state.filter.add(flush.superseded)
                state.revived.add(revived)
            }
        }
    }

    /// On open: executes again the blocks after the last tree written whole, from their stored
    /// bodies and the senders their receipts recorded, and checks each result against the state
    /// root its certified header commits to. Writes nothing; the next flush does.
    func rebuildUnflushedState() throws {
        let head = self.head
        guard let bytes = try db.get(StoreKeys.metaStateFlushed), let flushed = StoreKeys.uint64(bytes),
              flushed < head.height else {
            unflushedState.withLock { $0.flushedHeight = head.height }
            return
        }
        unflushedState.withLock { $0.flushedHeight = flushed }
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
    }

    private func reexecute(_ block: Block, parent header: BlockHeader, rules: ChainRules) throws -> ExecutedBlock {
        let recorded = try senders(at: block.height) ?? []
        var senders: [Hash32: Address] = [:]
        for (tx, sender) in zip(block.transactions, recorded) { senders[tx.hash] = sender }
        var parent = ParentState(header: header, validators: try validators(at: header.height),
                                 nextValidators: try validators(at: block.height),
                                 accounts: CommittedAccounts(root: header.stateRoot, nodes: self, codes: self), nodes: self)
        parent.blockHashes = { [self] height in try? self.block(at: height)?.hash }
        return try BlockValidator.validate(block, parent: parent, rules: rules) { tx in
            try senders[tx.hash] ?? tx.recoverSender()
        }
    }
}
