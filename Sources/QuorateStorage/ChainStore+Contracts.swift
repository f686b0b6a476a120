import QuorateCore
import QuorateState

/// Contract code and storage reads (docs/contracts.md).
extension ChainStore: ContractCodeReader {
    public func contractCode(_ codeHash: Hash32) throws -> [UInt8]? {
        if codeHash == Account.emptyCodeHash { return [] }
        return try db.get(StoreKeys.code(codeHash))
    }

    public func storageValue(root: Hash32, key: Hash32) throws -> [UInt8]? {
        try SparseMerkleTree.value(root: root, key: key, reader: self)
    }

    /// A storage slot of `address` in the state at `stateRoot` (zero when unset).
    public func storage(_ address: Address, slot: UInt256, stateRoot: Hash32) throws -> UInt256 {
        guard let account = try account(address, stateRoot: stateRoot),
              account.storageRoot != SparseMerkleTree.emptyRoot,
              let bytes = try storageValue(root: account.storageRoot, key: ContractStorage.treeKey(slot)) else { return .zero }
        return try ContractStorage.decode(bytes)
    }

    /// The state at `stateRoot` as block execution reads it (for eth_call and traces).
    public func accounts(at stateRoot: Hash32) -> AccountReader {
        CommittedAccounts(root: stateRoot, nodes: self, codes: self)
    }
}
