/// One event a contract emitted (LOG0-LOG4), as a receipt keeps it. Where it sits in the chain
/// (block, transaction, index) is derived from the receipt's position, not stored.
public struct Log: Equatable, Sendable {
    public var address: Address
    public var topics: [Hash32]
    public var data: [UInt8]

    public init(address: Address, topics: [Hash32], data: [UInt8]) {
        self.address = address
        self.topics = topics
        self.data = data
    }

    /// RLP [address, [topic...], data], as Ethereum's receipts encode a log.
    public var rlp: RLPItem {
        .list([RLPItem(address), .list(topics.map { RLPItem($0) }), RLPItem(bytes: data)])
    }

    public init(rlp: RLPItem) throws {
        let f = try rlp.listValue()
        guard f.count == 3 else { throw RLPError(description: "log: expected 3 fields, got \(f.count)") }
        let topics = try f[1].listValue()
        guard topics.count <= 4 else { throw RLPError(description: "log: at most 4 topics, got \(topics.count)") }
        self.init(address: try f[0].addressValue(), topics: try topics.map { try $0.hash32Value() },
                  data: try f[2].bytesValue())
    }
}
