import QuorateCore
import QuorateState

extension ChainStore {
    /// Addresses of the flat account table from `start` on, ascending (state sync serves them as
    /// preimages of the tree's keys).
    public func accountAddresses(from start: Address, limit: Int) throws -> [Address] {
        let prefix = [UInt8(ascii: "a")]
        return try db.scan(prefix: prefix, from: prefix + start.bytes, limit: limit).compactMap { key, _ in
            key.count == 21 ? Address(Array(key.dropFirst())) : nil
        }
    }

    /// Contract code fetched by state sync, by hash (already checked against it).
    public func putContractCode(_ codes: [(hash: Hash32, code: [UInt8])]) throws {
        var batch = WriteBatch()
        for entry in codes { batch.put(StoreKeys.code(entry.hash), entry.code) }
        try db.write(batch, sync: false)
    }

    /// Writes state nodes received in state sync (each already checked against its hash): content
    /// addressed, so a sync that stops half way leaves only unreferenced, valid nodes.
    public func putStateNodes(_ nodes: [(hash: Hash32, encoded: [UInt8])]) throws {
        var batch = WriteBatch()
        for node in nodes { batch.put(StoreKeys.stateNode(node.hash), node.encoded) }
        try db.write(batch, sync: false)
    }

    /// Makes a state-synced block the head, in one synced batch: the block and its certificate,
    /// the validator-set changes up to it, the flat account table, and the markers saying that
    /// neither blocks nor states older than it are held. Only on a store still at genesis.
    /// `recentHeaders` are the headers below the block that BLOCKHASH may reach from the heights
    /// after it (checked by the caller as the chain the block's parent hash names); they are kept
    /// so that this node executes BLOCKHASH as the nodes that hold those blocks do.
    public func installStateSnapshot(block: Block, certificate: CommitCertificate, recentHeaders: [BlockHeader],
                                     validatorChanges: [(from: UInt64, set: ValidatorSet)],
                                     accounts: [(Address, [UInt8])]) throws {
        precondition(head.height == 0, "state sync starts from a store at genesis")
        precondition(certificate.blockHash == block.hash && certificate.height == block.height, "the certificate certifies the block")
        let height = block.height
        var batch = WriteBatch()
        precondition(recentHeaders.count < ChainStore.blockHashWindow, "BLOCKHASH reaches 255 heights below the snapshot")
        var child = block.header
        for header in recentHeaders {
            precondition(child.height > 0 && header.height == child.height - 1 && header.hash == child.parentHash,
                         "the kept headers are the chain below the snapshot, parent first")
            batch.put(StoreKeys.header(header.height), header.encoded())
            child = header
        }
        batch.put(StoreKeys.header(height), block.header.encoded())
        batch.put(StoreKeys.block(height), block.encoded())
        batch.put(StoreKeys.heightByHash(block.hash), StoreKeys.be(height))
        batch.put(StoreKeys.certificate(height), certificate.encoded())
        for change in validatorChanges { batch.put(StoreKeys.validatorSet(from: change.from), change.set.encoded()) }
        for (address, value) in accounts { batch.put(StoreKeys.account(address), value) }
        batch.put(StoreKeys.metaOldestState, StoreKeys.be(height))
        batch.put(StoreKeys.metaOldestBlock, StoreKeys.be(height))
        if try db.get(Self.pruneIndexFrom) != nil { batch.put(Self.pruneIndexFrom, StoreKeys.be(height + 1)) }
        batch.put(StoreKeys.metaStateFlushed, StoreKeys.be(height))
        batch.put(StoreKeys.metaHead, StoreKeys.be(height))
        try db.write(batch, sync: true)
        unflushedState.withLock { $0.flushedHeight = height }
        adoptHead(block.header, recentHeaders: recentHeaders, validatorChanges: validatorChanges)
    }
}
