import Foundation
import QuorateConsensus
import QuorateCore
import QuorateNode
import QuorateState
import QuorateStorage

/// One whole node of the simulation: its store (LevelDB in a temporary folder, re-opened after a
/// crash), its mempool (lost in a crash), and the real block builder, validator and commit path.
final class SimulatedNode {
    let path: String
    let address: Address
    let rules: ChainRules
    let bugs: PlantedBug
    private(set) var store: ChainStore?
    private(set) var mempool: Mempool
    /// Blocks of the current height this node built or validated, by hash.
    private var executed: [Hash32: ExecutedBlock] = [:]
    /// The decided block while its write is under way (overlapping heights, as `ConsensusDriver`):
    /// the next height builds and validates on its post-state; a crash loses it.
    private(set) var pending: (result: ExecutedBlock, certificate: CommitCertificate)?
    /// The highest block whose transactions this node acknowledged as committed, and the highest
    /// a synced write made durable: the first above the second is a promise a crash would break.
    private(set) var acknowledgedHeight: UInt64 = 0
    private(set) var syncedHeight: UInt64 = 0

    init(path: String, genesis: Genesis, address: Address, bugs: PlantedBug) throws {
        self.path = path
        self.address = address
        self.bugs = bugs
        rules = ChainRules(genesis: genesis)
        store = try Self.configured(ChainStore.initialize(path: path, genesis: genesis))
        mempool = Self.makeMempool(bugs)
    }

    /// As a node with state pruning, but writing the tree every 4 heights, so that crashes land
    /// between writes often and a restart rebuilds the unwritten heights; and retaining 2 heights,
    /// the least a node may (nothing here reads older state), so that block sync passes the
    /// heights more than 2 below the best peer (`TreeWrite.passing`) whenever a node lags that far.
    static let retainedHeights: UInt64 = 2

    private static func configured(_ store: ChainStore) throws -> ChainStore {
        try store.configureStatePruning(true)
        store.configureStateFlush(StateFlushPolicy(intervalHeights: 4, recentHeights: retainedHeights))
        return store
    }

    private static func makeMempool(_ bugs: PlantedBug) -> Mempool {
        let pool = Mempool()
        pool.plantedDuplicateNonce = bugs.contains(.mempoolDuplicateNonce)
        return pool
    }

    /// What the store holds: what block sync serves and the node announces.
    var head: BlockHeader { store!.head }
    /// What consensus builds on: the decided block while its write is under way.
    var decidedHead: BlockHeader { pending?.result.block.header ?? store!.head }

    /// The process dies: memory (mempool, executed blocks) goes; the store is closed.
    func crash() {
        store = nil
        executed = [:]
        pending = nil
        mempool = Self.makeMempool(bugs)
    }

    func restart() throws -> UInt64 {
        let reopened = try Self.configured(ChainStore(path: path))
        store = reopened
        syncedHeight = reopened.head.height
        acknowledgedHeight = min(acknowledgedHeight, reopened.head.height)
        return reopened.head.height
    }

    /// eth_sendRawTransaction's admission, reduced to what the simulator's clients send: the
    /// sender recovered, then the mempool's rules against the committed account.
    func submit(_ tx: Transaction) -> Bool {
        guard let store, let sender = try? tx.recoverSender() else { return false }
        let account: Account
        do { account = try store.account(sender) ?? Account(nonce: 0, balance: .zero) } catch { return false }
        return (try? mempool.add(tx, sender: sender, account: account)) != nil
    }

    func build(height: UInt64, timestampMs: UInt64) throws -> Block {
        let store = self.store!
        let head = decidedHead
        precondition(head.height + 1 == height, "consensus builds on the decided head")
        let limit = Int(rules.consensus.maxBlockTransactions)
        let beingWritten = Set(pending?.result.block.transactions.map(\.hash) ?? [])
        let candidates = mempool.executable(limit: limit + beingWritten.count).filter { !beingWritten.contains($0.transaction.hash) }
        let lastCommit = try pending.map(\.certificate) ?? (head.height == 0 ? nil : store.certificate(at: head.height))
        let output = try BlockBuilder.build(parent: try decidedParentState(), candidates: Array(candidates.prefix(limit)),
                                            proposer: address, timestampMs: max(timestampMs, head.timestampMs),
                                            lastCommit: lastCommit, rules: rules)
        mempool.remove(output.rejected.map(\.0))
        executed[output.executed.block.hash] = output.executed
        return output.executed.block
    }

    /// valid(v): the proposal executes on the head to the roots in its header, and its timestamp
    /// is not too far ahead of this node's clock.
    func validate(_ block: Block, nowMs: UInt64) -> Bool {
        guard block.header.timestampMs <= nowMs + ProposalClock.maxTimestampDriftMs else { return false }
        return (try? execute(block)) != nil
    }

    private func decidedParentState() throws -> ParentState {
        let store = self.store!
        if let pending { return try store.parentState(pending: pending.result) }
        return try store.parentState(for: store.head)
    }

    private func execute(_ block: Block) throws -> ExecutedBlock {
        if let known = executed[block.hash] { return known }
        let result = try BlockValidator.validate(block, parent: try decidedParentState(), rules: rules,
                                                 skipStateRootCheck: bugs.contains(.skipStateRootCheck)) { tx in
            try mempool.sender(of: tx.hash) ?? tx.recoverSender()
        }
        executed[block.hash] = result
        return result
    }

    /// The machine decided `committed`: execute it (or reuse the execution) and hold it for its
    /// write (`writePending`), which the caller did for the block before.
    func decide(_ committed: CommittedBlock) throws {
        precondition(pending == nil, "one block's write at a time, in height order")
        let result = try execute(committed.block)
        if let next = result.nextValidators { store!.learnDecidedValidators(next, from: result.block.height + 1) }
        pending = (result, committed.certificate)
        executed = [:]
    }

    /// Writes the decided block (synced), then drops its transactions from the pool; nil when no
    /// write was under way.
    func writePending() throws -> ExecutedBlock? {
        guard let (result, certificate) = pending else { return nil }
        pending = nil
        try write(result, certificate: certificate)
        return result
    }

    /// A block from block sync: the production check (`SyncedBlockCheck`: certificate, then
    /// execution), then commit as the node's block sync does: the heights far below
    /// `highestHeight` are passed, the rest written whole (`ChainStore.treeWriteForSyncedBlock`).
    func applySynced(_ block: Block, certificate: CommitCertificate, senders: [Hash32: Address], highestHeight: UInt64,
                     check: SyncedBlockCheck) throws -> ExecutedBlock {
        let store = self.store!
        precondition(pending == nil, "block sync extends the store's head")
        let result = try check.verify(block, certificate: certificate, store: store, rules: rules) {
            try senders[$0.hash] ?? mempool.sender(of: $0.hash) ?? $0.recoverSender()
        }
        try write(result, certificate: certificate, tree: store.treeWriteForSyncedBlock(at: block.height, highestHeight: highestHeight))
        executed = [:]
        return result
    }

    private func write(_ result: ExecutedBlock, certificate: CommitCertificate, tree: TreeWrite = .scheduled) throws {
        let store = self.store!
        let synced = !bugs.contains(.commitBeforeSync)
        try store.commit(store.prepareCommit(result, certificate: certificate), sync: synced, tree: tree)
        let height = result.block.height
        if synced { syncedHeight = height }
        acknowledgedHeight = height
        let nonces = Dictionary(result.changedAccounts.map { ($0.0, $0.1.nonce) }, uniquingKeysWith: { a, _ in a })
        mempool.removeCommitted(result.block.transactions, senders: result.senders) { nonces[$0] ?? 0 }
    }

    /// A synced write (the hard state) makes every earlier write durable, as LevelDB's log does.
    func wroteHardState() {
        if let store { syncedHeight = store.head.height }
    }

    func balance(of address: Address) -> UInt256 {
        ((try? store?.account(address)) ?? nil)?.balance ?? .zero
    }
}
