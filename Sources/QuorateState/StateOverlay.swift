import QuorateCore

/// Reads the committed state: accounts (nil for one that does not exist) and the non-account
/// values kept beside them (governance records, docs/permissioning.md) by their state-tree key.
public protocol AccountReader {
    func account(_ address: Address) throws -> Account?
    func stateValue(_ key: Hash32) throws -> [UInt8]?
    /// Contract code by its keccak256 hash (kept beside the tree; docs/contracts.md).
    func contractCode(_ codeHash: Hash32) throws -> [UInt8]?
    /// The value under `key` (ContractStorage.treeKey of a slot) in the storage tree at `root`.
    func storageValue(root: Hash32, key: Hash32) throws -> [UInt8]?
}

extension AccountReader {
    /// A reader without contracts (genesis, test doubles) holds no code and no storage.
    public func contractCode(_ codeHash: Hash32) throws -> [UInt8]? { codeHash == Account.emptyCodeHash ? [] : nil }
    public func storageValue(root: Hash32, key: Hash32) throws -> [UInt8]? { nil }
}

/// The accounts committed in the tree at one root.
public struct CommittedAccounts: AccountReader {
    public let root: Hash32
    public let nodes: StateNodeReader
    public let codes: ContractCodeReader?

    public init(root: Hash32, nodes: StateNodeReader, codes: ContractCodeReader? = nil) {
        self.root = root
        self.nodes = nodes
        self.codes = codes
    }

    public func contractCode(_ codeHash: Hash32) throws -> [UInt8]? { try codes?.contractCode(codeHash) }

    public func storageValue(root: Hash32, key: Hash32) throws -> [UInt8]? {
        try SparseMerkleTree.value(root: root, key: key, reader: nodes)
    }

    public func account(_ address: Address) throws -> Account? {
        try SparseMerkleTree.value(root: root, key: Hash32.keccak(address.bytes), reader: nodes)
            .map { try Account(decoding: $0) }
    }

    public func stateValue(_ key: Hash32) throws -> [UInt8]? {
        try SparseMerkleTree.value(root: root, key: key, reader: nodes)
    }
}

/// Block execution's view of the state: reads fall through to the committed state once and are
/// cached; writes stay here until `commitment` turns them into one tree batch.
public struct StateOverlay {
    private let base: AccountReader
    private var reads: [Address: Account] = [:]
    private var writes: [Address: Account] = [:]
    private var valueWrites: [Hash32: [UInt8]] = [:]
    /// Contract storage (ContractState.swift): committed values read, values written, and the
    /// accounts whose storage was wiped (deleted, or self-destructed) in this block.
    var storageReads: [Address: [UInt256: UInt256]] = [:]
    var storageWrites: [Address: [UInt256: UInt256]] = [:]
    var storageCleared: Set<Address> = []
    var codeCache: [Hash32: [UInt8]] = [:]
    var createdCode: [Hash32: [UInt8]] = [:]
    /// The validator sets this block executes with; nil where no block is being executed (genesis).
    public var validators: ValidatorContext?

    public init(base: AccountReader, validators: ValidatorContext? = nil) {
        self.base = base
        self.validators = validators
    }

    /// A non-account value (a governance record); an empty value means absent.
    public mutating func stateValue(_ key: Hash32) throws -> [UInt8] {
        if let written = valueWrites[key] { return written }
        return try base.stateValue(key) ?? []
    }

    public mutating func setStateValue(_ key: Hash32, _ value: [UInt8]) {
        valueWrites[key] = value
    }

    /// The account as execution sees it now; an absent account reads as `Account.empty`.
    /// The account as the parent state holds it (cached like every read).
    mutating func committedAccount(_ address: Address) throws -> Account {
        if let read = reads[address] { return read }
        let account = try base.account(address) ?? .empty
        reads[address] = account
        return account
    }

    func baseCode(_ codeHash: Hash32) throws -> [UInt8]? { try base.contractCode(codeHash) }
    func baseStorage(root: Hash32, key: Hash32) throws -> [UInt8]? { try base.storageValue(root: root, key: key) }

    public mutating func account(_ address: Address) throws -> Account {
        if let written = writes[address] { return written }
        if let read = reads[address] { return read }
        let account = try base.account(address) ?? .empty
        reads[address] = account
        return account
    }

    public mutating func setAccount(_ address: Address, _ account: Account) {
        writes[address] = account
    }

    /// Every account set in this overlay, sorted by address: dictionary order must never reach
    /// anything that is hashed or compared between nodes.
    public var changedAccounts: [(address: Address, account: Account)] {
        writes.sorted { $0.key < $1.key }.map { (address: $0.key, account: $0.value) }
    }

    /// The tree batch for these changes on top of `root`: keys keccak256(address), values
    /// `Account.encoded()`, and empty accounts deleted.
    /// Contract storage is committed first: each changed storage tree gets its new root, which
    /// its account then carries; the storage nodes come before the account nodes in the update.
    public mutating func commitment(root: Hash32, reader: StateNodeReader) throws -> StateUpdate {
        let storageNodes = try commitStorage(reader: reader)
        var changes = changedAccounts.map { change in
            (key: Hash32.keccak(change.address.bytes), value: change.account.isEmpty ? nil : change.account.encoded())
        }
        for (key, value) in valueWrites.sorted(by: { $0.key < $1.key }) {
            changes.append((key: key, value: value.isEmpty ? nil : value))
        }
        let update = try SparseMerkleTree.apply(root: root, changes: changes, reader: reader)
        if storageNodes.isEmpty { return update }
        return StateUpdate(newRoot: update.newRoot, newNodes: storageNodes + update.newNodes, staleNodes: update.staleNodes)
    }
}
