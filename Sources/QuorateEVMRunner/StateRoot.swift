import QuorateCore
import QuorateCrypto
import QuorateEVM

/// The commitments a state test checks: Ethereum's state root and the hash of the logs.
public enum StateCommitment {
    /// Accounts keyed by keccak256(address), valued RLP([nonce, balance, storageRoot, codeHash]).
    public static func stateRoot(of host: MemoryHost) -> Hash32 {
        let entries = host.accounts.sorted { $0.key < $1.key }.map { (address, account) in
            (key: address.bytes, value: RLP.encode(.list([
                .bytes(UInt256(account.nonce).minimalBigEndianBytes),
                .bytes(account.balance.minimalBigEndianBytes),
                .bytes(storageRoot(account.storage).bytes),
                .bytes(account.codeHash.bytes),
            ])))
        }
        return MerklePatriciaTrie.secureRoot(entries)
    }

    /// Slots keyed by keccak256 of the 32-byte slot, valued RLP of the value's minimal bytes;
    /// zero slots are absent.
    public static func storageRoot(_ storage: [UInt256: UInt256]) -> Hash32 {
        let entries = storage.filter { !$0.value.isZero }.sorted { $0.key < $1.key }.map { (slot, value) in
            (key: slot.bigEndianBytes, value: RLP.encode(.bytes(value.minimalBigEndianBytes)))
        }
        return MerklePatriciaTrie.secureRoot(entries)
    }

    /// keccak256(RLP([[address, [topics...], data], ...])).
    public static func logsHash(_ logs: [EVMLog]) -> Hash32 {
        let items = logs.map { log in
            RLPItem.list([.bytes(log.address.bytes), .list(log.topics.map { .bytes($0.bytes) }), .bytes(log.data)])
        }
        return Hash32(Keccak256.hash(RLP.encode(.list(items))))
    }
}
