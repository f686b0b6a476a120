import Foundation
import QuorateCore
import QuorateState
import Synchronization

public struct StoreError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Blocks, certificates, receipts, indexes and world state of one chain in one LevelDB.
///
/// Reads may come from any thread (LevelDB is thread-safe); commits come from the node's one
/// serial executor.
public final class ChainStore: AccountReader, StateNodeReader, @unchecked Sendable {
    /// Bumped when the on-disk layout changes; a store with a newer version is refused.
    /// 2: the state tree may be whole only at `m/stateFlushed` (`ChainStore+StateFlush.swift`), so
    /// a binary that knows only version 1 must not open it. A version-1 store is version 2 with
    /// the tree whole at its head.
    /// 3: each block's header is also kept on its own (`H`), and a state-synced store keeps the
    /// 255 headers below its snapshot there, which BLOCKHASH reads: a binary that knows only
    /// version 2 would read those hashes as zero and execute differently from its peers. A
    /// version-2 store is version 3 whose older blocks carry their header only inside the block.
    /// Every commit marks the store with this version (opening alone writes nothing, so a
    /// backup's checksum still holds).
    public static let schemaVersion: UInt64 = 3

    public let db: LevelDB
    public let genesis: Genesis
    public let genesisHash: Hash32
    private let headState: Mutex<BlockHeader>
    /// Every validator set with the height it is in force from, ascending; genesis's from 0.
    private let validatorHistory: Mutex<[(from: UInt64, set: ValidatorSet)]>
    /// Serializes commits with the pruner's deletes: a commit that finds a state node already
    /// stored (and records it as revived) must not race a delete of that node. Holds whether
    /// the stale-node index is kept and what it lists (`ChainStore+Pruning.swift`).
    let writeLock = Mutex(PruneIndexState())
    /// Tree nodes not yet written, and recently superseded ones (`ChainStore+StateFlush.swift`).
    let unflushedState = Mutex(UnflushedStateNodes())
    /// How often the tree is written whole; every height unless the node configures it.
    let stateFlushPolicy = Mutex(StateFlushPolicy())
    /// The last `blockHashWindow` block hashes, for BLOCKHASH (`RecentBlockHashes.swift`).
    let recentBlockHashes = Mutex(RecentBlockHashes())
    /// The heights whose state the open executed again (a crash came after the last write of the tree).
    public internal(set) var rebuiltStateHeights: ClosedRange<UInt64>?
    /// The lowest height whose state this process can read, when the open found that the last
    /// stop lost superseded nodes only memory held: the last write of the tree. The older heights
    /// answer as pruned (`oldestState()`); the first batch stores it (`markFirstBatch`).
    var stateFloorAtOpen: UInt64?

    /// Opens an initialised store and checks it can be trusted: schema version, chain id, genesis,
    /// and the head block against its commit certificate.
    public init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path + "/CURRENT") else {
            throw StoreError("\(path) holds no chain: run `quorate-node init --genesis FILE --datadir DIR` first")
        }
        db = try LevelDB(path: path, createIfMissing: false)
        guard let versionBytes = try db.get(StoreKeys.metaSchemaVersion), let version = StoreKeys.uint64(versionBytes) else {
            throw StoreError("\(path) is not an initialised Quorate store: run `quorate-node init --genesis FILE --datadir DIR` first")
        }
        guard version <= ChainStore.schemaVersion else {
            throw StoreError("the store at \(path) has schema version \(version), newer than this quorate-node (\(ChainStore.schemaVersion)): upgrade quorate-node")
        }
        guard let genesisBytes = try db.get(StoreKeys.metaGenesis) else {
            throw StoreError("the store at \(path) has no genesis: it is damaged; re-initialise it and sync from peers")
        }
        genesis = try Genesis(json: genesisBytes)
        guard let chainBytes = try db.get(StoreKeys.metaChainId), StoreKeys.uint64(chainBytes) == genesis.chainId else {
            throw StoreError("the store at \(path) records a chain id that differs from its genesis: it is damaged")
        }
        guard let genesisBlock = try ChainStore.readBlock(db, 0) else {
            throw StoreError("the store at \(path) has no block 0: it is damaged; re-initialise it")
        }
        guard genesisBlock.header.lastCommitHash == genesis.contentHash, genesisBlock.header.chainId == genesis.chainId else {
            throw StoreError("block 0 in \(path) was not made from the stored genesis: the store is damaged; re-initialise it")
        }
        genesisHash = genesisBlock.hash
        guard let headBytes = try db.get(StoreKeys.metaHead), let headHeight = StoreKeys.uint64(headBytes),
              let head = try ChainStore.readBlock(db, headHeight) else {
            throw StoreError("the store at \(path) has no head block: it is damaged")
        }
        headState = Mutex(head.header)
        validatorHistory = Mutex(try ChainStore.readValidatorHistory(db, genesis: genesis))
        try checkHeadCertificate(head.header)
        try loadRecentBlockHashes()
        try rebuildUnflushedState()
        // A store that keeps the pruner's index keeps it through every opener's commits (import
        // too): a commit that did not record a node coming back would let the pruner delete it.
        if try db.get(Self.pruneIndexFrom) != nil { try configureStatePruning(true) }
    }

    /// Creates a store for `genesis` at `path` (the `init` command). Refuses a store that exists.
    @discardableResult
    public static func initialize(path: String, genesis: Genesis) throws -> ChainStore {
        let db = try LevelDB(path: path, createIfMissing: true)
        if try db.get(StoreKeys.metaSchemaVersion) != nil {
            let existing = try db.get(StoreKeys.metaGenesis).flatMap { try? Genesis(json: $0) }
            if let existing, existing.contentHash == genesis.contentHash {
                throw StoreError("\(path) is already initialised with this genesis; start the node with `quorate-node start`")
            }
            throw StoreError("\(path) is already initialised with another genesis (chain id \(existing?.chainId ?? 0)); use a new data directory")
        }
        let executed = try GenesisState.build(genesis, nodes: EmptyNodes())
        var batch = WriteBatch()
        batch.put(StoreKeys.metaSchemaVersion, StoreKeys.be(schemaVersion))
        batch.put(StoreKeys.metaChainId, StoreKeys.be(genesis.chainId))
        batch.put(StoreKeys.metaGenesis, genesis.jsonBytes())
        writeBlock(executed, certificate: nil, into: &batch)
        for node in executed.stateUpdate.newNodes { batch.put(StoreKeys.stateNode(node.hash), node.encoded) }
        try db.write(batch, sync: true)
        return try ChainStore(sharing: db, genesis: genesis, head: executed.block.header)
    }

    private init(sharing db: LevelDB, genesis: Genesis, head: BlockHeader) throws {
        self.db = db
        self.genesis = genesis
        self.genesisHash = try ChainStore.readBlock(db, 0)!.hash
        self.headState = Mutex(head)
        self.validatorHistory = Mutex([(from: 0, set: genesis.validators)])
        recentBlockHashes.withLock { $0.record(head.hash, at: head.height) }
    }

    private static func readValidatorHistory(_ db: LevelDB, genesis: Genesis) throws -> [(from: UInt64, set: ValidatorSet)] {
        var history = [(from: UInt64(0), set: genesis.validators)]
        try db.iterate(prefix: StoreKeys.validatorSetPrefix) { key, value in
            guard let from = StoreKeys.uint64(Array(key.dropFirst())), from > history.last!.from else {
                throw StoreError("the store's validator-set table is damaged (key \(key)); re-initialise it and sync from peers")
            }
            history.append((from: from, set: try ValidatorSet(rlp: try RLP.decode(value))))
            return true
        }
        return history
    }

    private func checkHeadCertificate(_ head: BlockHeader) throws {
        guard head.height > 0 else { return }
        guard let certificate = try certificate(at: head.height) else {
            throw StoreError("block \(head.height) has no commit certificate in the store: it is damaged")
        }
        guard certificate.blockHash == head.hash else {
            throw StoreError("the certificate stored for block \(head.height) is for another block: the store is damaged")
        }
        do {
            try certificate.verify(validators: try validators(at: head.height), chainId: genesis.chainId)
        } catch {
            throw StoreError("the head block \(head.height) does not verify against its commit certificate (\(error)): the store cannot be trusted")
        }
    }

    public var head: BlockHeader { headState.withLock { $0 } }

    /// After state sync wrote a new head, the headers below it and the validator-set changes up to it.
    func adoptHead(_ header: BlockHeader, recentHeaders: [BlockHeader], validatorChanges: [(from: UInt64, set: ValidatorSet)]) {
        validatorHistory.withLock { $0 = [(from: 0, set: genesis.validators)] + validatorChanges }
        recentBlockHashes.withLock { hashes in
            for h in recentHeaders + [header] { hashes.record(h.hash, at: h.height) }
        }
        headState.withLock { $0 = header }
    }

    /// The hashes BLOCKHASH may ask for at the next height, from the certificates (small) where
    /// the store has them.
    private func loadRecentBlockHashes() throws {
        let head = self.head.height
        for height in (head >= ChainStore.blockHashWindow ? head - ChainStore.blockHashWindow + 1 : 0)...head {
            if let hash = try storedBlockHash(at: height) {
                recentBlockHashes.withLock { $0.record(hash, at: height) }
            }
        }
    }

    /// The hash of the committed block at `height` (nil above the head, or when neither its block
    /// nor its header is kept): from memory for the last `blockHashWindow` heights.
    public func blockHash(at height: UInt64) -> Hash32? {
        if let hash = recentBlockHashes.withLock({ $0.hash(at: height) }) { return hash }
        guard height <= head.height else { return nil }
        return try? storedBlockHash(at: height)
    }

    private func storedBlockHash(at height: UInt64) throws -> Hash32? {
        if height == 0 { return genesisHash }
        if let certificate = try certificate(at: height) { return certificate.blockHash }
        return try header(at: height)?.hash
    }

    /// The header at `height`, kept beside its block (and below a state-sync snapshot, without
    /// it); a block a schema-2 store wrote is read without decoding its transactions.
    public func header(at height: UInt64) throws -> BlockHeader? {
        if let bytes = try db.get(StoreKeys.header(height)) { return try BlockHeader(rlp: try RLP.decode(bytes)) }
        return try db.get(StoreKeys.block(height)).map { try Block.header(ofEncoded: $0) }
    }
    public var chainId: UInt64 { genesis.chainId }

    /// The validators that sign blocks at `height`, for any height up to the head's next (the
    /// head's header fixes it through `nextValidatorsHash`).
    public func validators(at height: UInt64) throws -> ValidatorSet {
        validatorHistory.withLock { history in history.last { $0.from <= height }!.set }
    }

    /// Consensus decided a block that changes the set while the block's write is still under way
    /// (overlapping heights): a decided block is final, so `validators(at:)` answers the new set
    /// from now on. Learning the same change again (at the write) changes nothing.
    public func learnDecidedValidators(_ next: ValidatorSet, from height: UInt64) {
        validatorHistory.withLock { history in
            if history.last!.from < height { history.append((from: height, set: next)) }
        }
    }

    /// Every change of the validator set: the height it took effect at and the new set.
    public var validatorSetChanges: [(from: UInt64, set: ValidatorSet)] {
        validatorHistory.withLock { Array($0.dropFirst()) }
    }

    // MARK: reads

    public func block(at height: UInt64) throws -> Block? { try ChainStore.readBlock(db, height) }

    public func height(of hash: Hash32) throws -> UInt64? {
        try db.get(StoreKeys.heightByHash(hash)).flatMap(StoreKeys.uint64)
    }

    public func transactionLocation(_ hash: Hash32) throws -> (height: UInt64, index: Int)? {
        guard let bytes = try db.get(StoreKeys.transactionLocation(hash)), bytes.count == 12,
              let height = StoreKeys.uint64(Array(bytes[0..<8])) else { return nil }
        let index = bytes[8..<12].reduce(0) { $0 << 8 | Int($1) }
        return (height, index)
    }

    public func receipts(at height: UInt64) throws -> [Receipt] {
        guard let bytes = try db.get(StoreKeys.receipts(height)) else { return [] }
        return try StoredReceipts.decode(bytes) { try self.block(at: height) }
    }

    /// The senders of the block's transactions as its receipts recorded them (nil for a pruned or
    /// unknown height), read without decoding the block.
    public func senders(at height: UInt64) throws -> [Address]? {
        try db.get(StoreKeys.receipts(height)).map { try StoredReceipts.senders($0) }
    }

    public func certificate(at height: UInt64) throws -> CommitCertificate? {
        try db.get(StoreKeys.certificate(height)).map { try CommitCertificate(rlp: try RLP.decode($0)) }
    }

    /// Latest state, from the flat account table.
    public func account(_ address: Address) throws -> Account? {
        try db.get(StoreKeys.account(address)).map { try Account(decoding: $0) }
    }

    /// State at a historical block, read through the state tree at that block's root.
    public func account(_ address: Address, stateRoot: Hash32) throws -> Account? {
        try SparseMerkleTree.value(root: stateRoot, key: Hash32.keccak(address.bytes), reader: self)
            .map { try Account(decoding: $0) }
    }

    /// A node of a recent tree from memory (not yet written, or superseded before it was), else from disk.
    public func stateNode(_ hash: Hash32) throws -> [UInt8]? {
        if let node = computedStateNode(hash) { return node }
        return try db.get(StoreKeys.stateNode(hash))
    }

    public func computedStateNode(_ hash: Hash32) -> [UInt8]? { unflushedState.withLock { $0.node(hash) } }

    /// The lowest height whose block body the store keeps; nil when none was pruned.
    public func oldestBlockBody() throws -> UInt64? { try db.get(StoreKeys.metaOldestBlock).flatMap(StoreKeys.uint64) }

    /// The lowest height whose state the store can read; nil when none was pruned.
    public func oldestState() throws -> UInt64? {
        let stored = try db.get(StoreKeys.metaOldestState).flatMap(StoreKeys.uint64)
        guard let floor = stateFloorAtOpen, floor > stored ?? 0 else { return stored }
        return floor
    }

    /// A governance record at the head (read through the tree: they change rarely).
    public func stateValue(_ key: Hash32) throws -> [UInt8]? {
        try stateValue(key, stateRoot: head.stateRoot)
    }

    public func stateValue(_ key: Hash32, stateRoot: Hash32) throws -> [UInt8]? {
        try SparseMerkleTree.value(root: stateRoot, key: key, reader: self)
    }

    /// Non-voting node keys admins allowed on-chain, at the head.
    public func onChainNodeKeys() throws -> [[UInt8]] {
        try OnChainNodeKeys(decoding: stateValue(OnChainNodeKeys.stateKey) ?? []).keys
    }

    /// Pending validator-set proposals as they stand at `height` (votes expired or cast by
    /// former validators left out).
    public func pendingValidatorVotes(at height: UInt64) throws -> PendingValidatorVotes {
        guard let header = try block(at: height)?.header else { throw StoreError("no block \(height)") }
        let record = try PendingValidatorVotes(decoding: stateValue(PendingValidatorVotes.stateKey, stateRoot: header.stateRoot) ?? [])
        return record.live(atMs: header.timestampMs, validators: try validators(at: height + 1))
    }

    public func parentState(for head: BlockHeader) throws -> ParentState {
        var parent = ParentState(header: head, validators: try validators(at: head.height),
                                 nextValidators: try validators(at: head.height + 1), accounts: self, nodes: self)
        parent.blockHashes = { [self] height in self.blockHash(at: height) }
        return parent
    }

    // MARK: consensus hard state

    /// The consensus state machine's hard state, encoded by the consensus module. Synced: a
    /// validator sends nothing that depends on it before this returns.
    public func saveConsensusState(_ bytes: [UInt8]) throws {
        try db.put(StoreKeys.consensusHardState, bytes, sync: true)
    }

    public func consensusState() throws -> [UInt8]? {
        try db.get(StoreKeys.consensusHardState)
    }

    // MARK: commit

    /// Writes a block with its certificate, receipts, indexes and new state in one batch: a crash
    /// leaves the store at the previous block or this one, never between. Synced by default;
    /// block sync passes `sync: false` for all but the last block of a batch (LevelDB's log is
    /// sequential, so a crash can only lose a tail of whole blocks, which are fetched again, and
    /// any later synced write makes them durable first).
    public func commit(_ executed: ExecutedBlock, certificate: CommitCertificate, sync: Bool = true) throws {
        try commit(prepareCommit(executed, certificate: certificate), sync: sync)
    }

    /// A block's batch, encoded and not yet written: the block, its receipts and indexes, the
    /// certificate, accounts and state nodes. Apart from `commit(_:sync:)` so that the node can
    /// count encoding (receipts and indexes) and writing as separate stages.
    public struct PreparedCommit: Sendable {
        let executed: ExecutedBlock
        var batch: WriteBatch
    }

    public func prepareCommit(_ executed: ExecutedBlock, certificate: CommitCertificate) -> PreparedCommit {
        let header = executed.block.header
        precondition(header.height == head.height + 1 && header.parentHash == head.hash,
                     "blocks are committed in order on top of the head")
        precondition(certificate.height == header.height && certificate.blockHash == header.hash,
                     "the certificate certifies this block")
        var batch = WriteBatch()
        ChainStore.writeBlock(executed, certificate: certificate, into: &batch)
        if let next = executed.nextValidators {
            batch.put(StoreKeys.validatorSet(from: header.height + 1), next.encoded())
        }
        return PreparedCommit(executed: executed, batch: batch)
    }

    /// Writes a prepared block in one batch (synced unless `sync` is false) and moves the head.
    /// `tree` says how the block's state tree reaches the disk (`TreeWrite`): consensus keeps the
    /// flush schedule, block sync writes each tree whole near the tip and passes the heights below.
    public func commit(_ prepared: PreparedCommit, sync: Bool = true, tree: TreeWrite = .scheduled) throws {
        let executed = prepared.executed
        let header = executed.block.header
        precondition(header.height == head.height + 1 && header.parentHash == head.hash,
                     "blocks are committed in order on top of the head")
        try writeLock.withLock { state in
            let writes = stateWrites(after: executed.stateUpdate, height: header.height, force: tree == .whole)
            try write(prepared.batch, stateWrites: writes, after: executed.stateUpdate, height: header.height,
                      sync: sync, passing: tree == .passing, index: &state)
        }
        if let next = executed.nextValidators { learnDecidedValidators(next, from: header.height + 1) }
        recentBlockHashes.withLock { $0.record(header.hash, at: header.height) }
        headState.withLock { $0 = header }
    }

    private static func writeBlock(_ executed: ExecutedBlock, certificate: CommitCertificate?, into batch: inout WriteBatch) {
        let block = executed.block
        let height = block.header.height
        batch.put(StoreKeys.block(height), block.encoded())
        batch.put(StoreKeys.header(height), block.header.encoded())
        batch.put(StoreKeys.heightByHash(block.hash), StoreKeys.be(height))
        for (i, tx) in block.transactions.enumerated() {
            var location = StoreKeys.be(height)
            location.appendBigEndian(UInt32(i))
            batch.put(StoreKeys.transactionLocation(tx.hash), location)
        }
        batch.put(StoreKeys.receipts(height), StoredReceipts.encode(executed.receipts))
        if let certificate { batch.put(StoreKeys.certificate(height), certificate.encoded()) }
        for (address, account) in executed.changedAccounts {
            if account.isEmpty {
                batch.delete(StoreKeys.account(address))
            } else {
                batch.put(StoreKeys.account(address), account.encoded())
            }
        }
        for entry in executed.newCode { batch.put(StoreKeys.code(entry.hash), entry.code) }
        batch.put(StoreKeys.metaHead, StoreKeys.be(height))
    }

    private static func readBlock(_ db: LevelDB, _ height: UInt64) throws -> Block? {
        try db.get(StoreKeys.block(height)).map { try Block(decoding: $0) }
    }

    private struct EmptyNodes: StateNodeReader {
        func stateNode(_ hash: Hash32) throws -> [UInt8]? { nil }
    }
}
