/// The outcome of one transaction in a committed block.
///
/// A transaction that cannot execute at all makes its block invalid; one that executes and fails
/// (a revert, running out of gas) is included with `status` 0 and its gas charged, as in Ethereum.
/// The logs bloom is not stored: it is a function of `logs` (`bloom`).
public struct Receipt: Equatable, Sendable {
    public var transactionHash: Hash32
    public var type: TransactionType
    public var status: UInt8
    public var from: Address
    public var to: Address?
    public var gasUsed: UInt64
    public var cumulativeGasUsed: UInt64
    public var effectiveGasPrice: UInt256
    /// The contract a successful creation made.
    public var contractAddress: Address?
    public var logs: [Log]

    public init(transactionHash: Hash32, type: TransactionType, status: UInt8, from: Address, to: Address?,
                gasUsed: UInt64, cumulativeGasUsed: UInt64, effectiveGasPrice: UInt256,
                contractAddress: Address? = nil, logs: [Log] = []) {
        self.transactionHash = transactionHash
        self.type = type
        self.status = status
        self.from = from
        self.to = to
        self.gasUsed = gasUsed
        self.cumulativeGasUsed = cumulativeGasUsed
        self.effectiveGasPrice = effectiveGasPrice
        self.contractAddress = contractAddress
        self.logs = logs
    }

    public var bloom: LogsBloom { logs.isEmpty ? .empty : LogsBloom(logs: logs) }

    /// Also what the receipts root hashes. `from` must stay in it: block sync executes with the
    /// senders a peer sent, and the receipts root is what refuses a wrong one (two swapped
    /// senders can leave the same state).
    public var rlp: RLPItem {
        .list([
            RLPItem(transactionHash), RLPItem(UInt64(type.rawValue)), RLPItem(UInt64(status)), RLPItem(from),
            to.map { RLPItem($0) } ?? RLPItem(bytes: []),
            RLPItem(gasUsed), RLPItem(cumulativeGasUsed), RLPItem(effectiveGasPrice),
            contractAddress.map { RLPItem($0) } ?? RLPItem(bytes: []), .list(logs.map(\.rlp)),
        ])
    }

    public func encoded() -> [UInt8] { RLP.encode(rlp) }

    public init(rlp: RLPItem) throws {
        let f = try rlp.listValue()
        guard f.count == 10 else { throw RLPError(description: "receipt: expected 10 fields, got \(f.count)") }
        // Range-checked, not truncated: 0x102 must not decode as type 2 (one value, one encoding).
        let typeValue = try f[1].uint64Value()
        guard typeValue <= UInt64(UInt8.max), let type = TransactionType(rawValue: UInt8(typeValue)) else {
            throw RLPError(description: "receipt: unknown transaction type \(typeValue)")
        }
        let status = try f[2].uint64Value()
        guard status <= 1 else { throw RLPError(description: "receipt: status must be 0 or 1, got \(status)") }
        let toBytes = try f[4].bytesValue()
        let contractBytes = try f[8].bytesValue()
        self.init(transactionHash: try f[0].hash32Value(), type: type,
                  status: UInt8(status), from: try f[3].addressValue(),
                  to: toBytes.isEmpty ? nil : try f[4].addressValue(),
                  gasUsed: try f[5].uint64Value(), cumulativeGasUsed: try f[6].uint64Value(),
                  effectiveGasPrice: try f[7].uint256Value(),
                  contractAddress: contractBytes.isEmpty ? nil : try f[8].addressValue(),
                  logs: try f[9].listValue().map { try Log(rlp: $0) })
    }

    /// The union of the receipts' blooms: what a block header carries.
    public static func bloom(_ receipts: [Receipt]) -> LogsBloom {
        var bloom = LogsBloom()
        for r in receipts where !r.logs.isEmpty { bloom.formUnion(r.bloom) }
        return bloom
    }

    public static func root(_ receipts: [Receipt]) -> Hash32 {
        MerkleRoot.compute(receipts.map { Hash32.keccak($0.encoded()) })
    }
}
