import QuorateCore
import QuorateEVM

/// Turns a test's transaction template and one index triple into the `EVMTransaction` the
/// processor applies. Values that no transaction encoding can carry (a gas limit over 2^64-1,
/// a value over 2^256-1) make the transaction invalid before it reaches the processor, as a
/// client's decoder would refuse it.
enum TransactionBuilder {
    struct Undecodable: Error, CustomStringConvertible {
        let description: String
    }

    static func build(_ t: TestTransaction, _ c: TestPostCase) throws -> EVMTransaction {
        let type: UInt8
        if t.blobVersionedHashes != nil {
            type = 3
        } else if t.maxFeePerGas != nil {
            type = 2
        } else if let lists = t.accessLists, lists[c.dataIndex] != nil {
            // A null entry is a legacy transaction in a test whose other indexes are type 1.
            type = 1
        } else {
            type = 0
        }
        let accessList = (t.accessLists?[c.dataIndex] ?? []).map { (address: $0.address, storageKeys: $0.storageKeys) }
        return EVMTransaction(
            type: type, sender: t.sender, to: t.to,
            nonce: try uint64(t.nonce, "nonce"),
            value: try uint256(t.value[c.valueIndex], "value"),
            data: t.data[c.dataIndex],
            gasLimit: try uint64(t.gasLimit[c.gasIndex], "gas limit"),
            gasPrice: try uint256(t.gasPrice ?? t.maxFeePerGas ?? [], "gas price"),
            maxFeePerGas: try uint256(t.maxFeePerGas ?? t.gasPrice ?? [], "max fee per gas"),
            maxPriorityFeePerGas: try uint256(t.maxPriorityFeePerGas ?? t.gasPrice ?? [], "max priority fee per gas"),
            accessList: accessList,
            blobVersionedHashes: t.blobVersionedHashes ?? [],
            maxFeePerBlobGas: try uint256(t.maxFeePerBlobGas ?? [], "max fee per blob gas"))
    }

    static func uint64(_ bytes: [UInt8], _ what: String) throws -> UInt64 {
        guard bytes.count <= 8, let v = UInt256(bigEndian: bytes)?.uint64 else {
            throw Undecodable(description: "\(what) exceeds 2^64-1")
        }
        return v
    }

    static func uint256(_ bytes: [UInt8], _ what: String) throws -> UInt256 {
        guard bytes.count <= 32, let v = UInt256(bigEndian: bytes) else {
            throw Undecodable(description: "\(what) exceeds 2^256-1")
        }
        return v
    }
}
