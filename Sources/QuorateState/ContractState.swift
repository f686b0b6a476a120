import QuorateCore

/// Where contract code is kept: by its keccak256 hash, beside the state tree (the tree commits
/// to the hash through each account). The node's store is one; `MemoryCodeStore` another.
public protocol ContractCodeReader {
    func contractCode(_ codeHash: Hash32) throws -> [UInt8]?
}

public struct MemoryCodeStore: ContractCodeReader, Sendable {
    public private(set) var codes: [Hash32: [UInt8]] = [:]
    public init() {}
    public func contractCode(_ codeHash: Hash32) throws -> [UInt8]? { codeHash == Account.emptyCodeHash ? [] : codes[codeHash] }
    public mutating func insert(_ newCode: [(hash: Hash32, code: [UInt8])]) {
        for entry in newCode { codes[entry.hash] = entry.code }
    }
}

/// A contract's storage lives in a sparse Merkle tree of its own, whose root its account record
/// carries (docs/contracts.md): deleting all of an account's storage (EIP-161, SELFDESTRUCT of a
/// contract created in the same transaction) is one field set to the empty root, whatever the
/// number of slots, and a slot's proof is the account's proof followed by the slot's.
public enum ContractStorage {
    /// A slot's key in its storage tree: keccak256 of the slot as 32 big-endian bytes, so that
    /// paths are spread whatever slots a contract uses (Vyper and Solidity put maps at hashes,
    /// plain variables at 0, 1, 2...).
    public static func treeKey(_ slot: UInt256) -> Hash32 { Hash32.keccak(slot.bigEndianBytes) }

    /// Values are stored as minimal big-endian bytes; a zero value is not stored.
    public static func encode(_ value: UInt256) -> [UInt8] { value.minimalBigEndianBytes }

    public static func decode(_ bytes: [UInt8]) throws -> UInt256 {
        guard bytes.count <= 32, bytes.first != 0, let value = UInt256(bigEndian: bytes) else {
            throw StateError.malformedAccount("a storage value must be 1-32 bytes without leading zeros")
        }
        return value
    }
}

extension StateOverlay {
    /// The code of an account (empty for none).
    public mutating func code(of account: Account) throws -> [UInt8] {
        guard account.hasCode else { return [] }
        if let cached = codeCache[account.codeHash] { return cached }
        guard let code = try baseCode(account.codeHash) else { throw StateError.missingNode(account.codeHash) }
        codeCache[account.codeHash] = code
        return code
    }

    public mutating func setCode(_ address: Address, _ code: [UInt8]) throws {
        var account = try self.account(address)
        let hash = Hash32.keccak(code)
        account.codeHash = hash
        if !code.isEmpty {
            codeCache[hash] = code
            createdCode[hash] = code
        }
        setAccount(address, account)
    }

    /// Code first stored in this block, sorted by hash: the store writes it with the block.
    public var newCode: [(hash: Hash32, code: [UInt8])] {
        createdCode.sorted { $0.key < $1.key }.map { (hash: $0.key, code: $0.value) }
    }

    public mutating func storage(_ address: Address, _ slot: UInt256) throws -> UInt256 {
        if let written = storageWrites[address]?[slot] { return written }
        if storageCleared.contains(address) { return .zero }
        if let read = storageReads[address]?[slot] { return read }
        let root = try committedAccount(address).storageRoot
        var value = UInt256.zero
        if root != SparseMerkleTree.emptyRoot, let bytes = try baseStorage(root: root, key: ContractStorage.treeKey(slot)) {
            value = try ContractStorage.decode(bytes)
        }
        storageReads[address, default: [:]][slot] = value
        return value
    }

    public mutating func setStorage(_ address: Address, _ slot: UInt256, _ value: UInt256) {
        storageWrites[address, default: [:]][slot] = value
    }

    /// True when the account may hold a non-zero slot (EIP-7610's collision test).
    public mutating func hasStorage(_ address: Address) throws -> Bool {
        if storageWrites[address]?.values.contains(where: { !$0.isZero }) == true { return true }
        if storageCleared.contains(address) { return false }
        return try committedAccount(address).storageRoot != SparseMerkleTree.emptyRoot
    }

    /// Wipes the account's code, storage, nonce and balance. Roles stay: they belong to the
    /// chain's permissioning, which the EVM's account deletion must not undo.
    public mutating func deleteContractAccount(_ address: Address) throws {
        let roles = try account(address).roles
        setAccount(address, Account(roles: roles))
        storageWrites[address] = nil
        storageCleared.insert(address)
    }

    /// Turns storage changes into new storage-tree roots on their accounts; returns the new nodes.
    mutating func commitStorage(reader: StateNodeReader) throws -> [(hash: Hash32, encoded: [UInt8])] {
        var addresses = Set(storageWrites.keys)
        addresses.formUnion(storageCleared)
        guard !addresses.isEmpty else { return [] }
        var nodes = [(hash: Hash32, encoded: [UInt8])]()
        for address in addresses.sorted() {
            let base = storageCleared.contains(address) ? SparseMerkleTree.emptyRoot : try committedAccount(address).storageRoot
            let changes = (storageWrites[address] ?? [:]).sorted { $0.key < $1.key }.map { slot, value in
                (key: ContractStorage.treeKey(slot), value: value.isZero ? nil : ContractStorage.encode(value))
            }
            let update = try SparseMerkleTree.apply(root: base, changes: changes, reader: reader)
            nodes += update.newNodes
            var account = try self.account(address)
            if account.storageRoot != update.newRoot {
                account.storageRoot = update.newRoot
                setAccount(address, account)
            }
        }
        return nodes
    }
}
