import QuorateCore
import QuorateState

/// The post-state of a block that is executed and certified but not yet written, read over the
/// store: block sync executes the next block against it while the block's batch is written.
///
/// Holds exactly what the block's batch writes (its changed accounts, new state nodes and code),
/// so a read answers what the store will answer once the batch is in, whether or not it is in
/// yet: keys the block did not change are the same in the store before and after its write.
public struct PendingBlockState: AccountReader, StateNodeReader, ContractCodeReader, Sendable {
    public let header: BlockHeader
    private let store: ChainStore
    /// nil for an account the block emptied (the batch deletes it, and an empty account reads as none).
    private let accounts: [Address: Account?]
    private let nodes: [Hash32: [UInt8]]
    private let codes: [Hash32: [UInt8]]

    init(_ executed: ExecutedBlock, over store: ChainStore) {
        header = executed.block.header
        self.store = store
        var accounts = [Address: Account?](minimumCapacity: executed.changedAccounts.count)
        for (address, account) in executed.changedAccounts { accounts[address] = account.isEmpty ? .some(nil) : account }
        self.accounts = accounts
        var nodes = [Hash32: [UInt8]](minimumCapacity: executed.stateUpdate.newNodes.count)
        for node in executed.stateUpdate.newNodes { nodes[node.hash] = node.encoded }
        self.nodes = nodes
        self.codes = Dictionary(executed.newCode.map { ($0.hash, $0.code) }, uniquingKeysWith: { first, _ in first })
    }

    public func account(_ address: Address) throws -> Account? {
        if let changed = accounts[address] { return changed }
        return try store.account(address)
    }

    public func stateNode(_ hash: Hash32) throws -> [UInt8]? {
        if let node = nodes[hash] { return node }
        return try store.stateNode(hash)
    }

    public func computedStateNode(_ hash: Hash32) -> [UInt8]? { nodes[hash] ?? store.computedStateNode(hash) }

    public func contractCode(_ codeHash: Hash32) throws -> [UInt8]? {
        if let code = codes[codeHash] { return code }
        return try store.contractCode(codeHash)
    }

    /// Governance records, read through the tree at this block's root (the store's head may still be its parent).
    public func stateValue(_ key: Hash32) throws -> [UInt8]? {
        try SparseMerkleTree.value(root: header.stateRoot, key: key, reader: self)
    }

    public func storageValue(root: Hash32, key: Hash32) throws -> [UInt8]? {
        try SparseMerkleTree.value(root: root, key: key, reader: self)
    }
}

extension ChainStore {
    /// The parent state for the block after `executed`, which extends the head (or is the head,
    /// when its write already finished) and is not yet necessarily written.
    public func parentState(pending executed: ExecutedBlock) throws -> ParentState {
        let header = executed.block.header
        precondition(header.height == head.height + 1 || header.hash == head.hash,
                     "the pending block extends the head or is the head")
        let pending = PendingBlockState(executed, over: self)
        // The set at its height was fixed by its parent; the next one is the block's own change,
        // or else the set in force after it (the store learns the change only when it is written).
        var parent = ParentState(header: header, validators: try validators(at: header.height),
                                 nextValidators: try executed.nextValidators ?? validators(at: header.height + 1),
                                 accounts: pending, nodes: pending)
        parent.blockHashes = { [self] height in height == header.height ? header.hash : self.blockHash(at: height) }
        return parent
    }
}
