import QuorateCore

/// An eth_getLogs / eth_newFilter criteria object: a block range or one block hash, addresses
/// (any of), and topics by position (nil: any; a list: any of).
struct LogQuery: Sendable {
    var fromBlock: BlockTag = .latest
    var toBlock: BlockTag = .latest
    var blockHash: Hash32?
    var addresses: [Address] = []
    var topics: [[Hash32]?] = []

    init(_ o: RPCObject) throws(RPCError) {
        blockHash = try o.ifPresent("blockHash", o.hash)
        if let from = try o.ifPresent("fromBlock", o.blockTag) { fromBlock = from }
        if let to = try o.ifPresent("toBlock", o.blockTag) { toBlock = to }
        if blockHash != nil && (o.optional("fromBlock") != nil || o.optional("toBlock") != nil) {
            throw RPCError.invalidParams("invalid argument 0: cannot specify both BlockHash and FromBlock/ToBlock, choose one or the other")
        }
        switch o.optional("address") {
        case nil: break
        case .string?: addresses = [try o.address("address")]
        case .array(let list)?:
            for item in list {
                guard let text = item.stringValue, let bytes = try? HexText.data(text), bytes.count == 20 else {
                    throw RPCError.invalidParams("invalid argument 0: address list holds a value that is not an address")
                }
                addresses.append(Address(bytes))
            }
        default: throw RPCError.invalidParams("invalid argument 0: address must be an address or a list of addresses")
        }
        let topicList = try o.ifPresent("topics", o.array) ?? []
        guard topicList.count <= 4 else { throw RPCError.invalidParams("invalid argument 0: at most 4 topic positions") }
        for position in topicList {
            switch position {
            case .null: topics.append(nil)
            case .string(let text): topics.append([try LogQuery.topic(text)])
            case .array(let options):
                var alternatives = [Hash32]()
                for option in options {
                    guard let text = option.stringValue else {
                        throw RPCError.invalidParams("invalid argument 0: a topic is 32-byte hex or null")
                    }
                    alternatives.append(try LogQuery.topic(text))
                }
                topics.append(alternatives.isEmpty ? nil : alternatives)
            default: throw RPCError.invalidParams("invalid argument 0: a topic position is null, a topic or a list of topics")
            }
        }
    }

    private static func topic(_ text: String) throws(RPCError) -> Hash32 {
        guard let bytes = try? HexText.data(text), bytes.count == 32 else {
            throw RPCError.invalidParams("invalid argument 0: a topic is 32-byte hex, got \(text)")
        }
        return Hash32(bytes)
    }

    /// A cheap pre-check against a block's bloom: false means no log of the block matches.
    func mayMatch(_ bloom: LogsBloom) -> Bool {
        if bloom.isEmpty { return false }
        if !addresses.isEmpty && !addresses.contains(where: { bloom.mayContain($0.bytes) }) { return false }
        for case let alternatives? in topics where !alternatives.contains(where: { bloom.mayContain($0.bytes) }) {
            return false
        }
        return true
    }

    func matches(_ log: Log) -> Bool {
        if !addresses.isEmpty && !addresses.contains(log.address) { return false }
        guard topics.count <= log.topics.count else { return false }
        for (i, alternatives) in topics.enumerated() {
            if let alternatives, !alternatives.contains(log.topics[i]) { return false }
        }
        return true
    }
}

/// Reads matching logs out of committed blocks, within the result cap.
enum LogReader {
    /// Logs of blocks `from...to` that match, in chain order, at most `limit` (then throws -32005).
    static func logs(_ query: LogQuery, from: UInt64, to: UInt64, backend: RPCBackend, limit: Int) throws -> [JSON] {
        var out = [JSON]()
        guard from <= to else { return out }
        for height in from...to {
            guard let block = try backend.block(at: height) else { break }
            guard query.mayMatch(block.header.logsBloom) else { continue }
            let receipts = try backend.receipts(at: height)
            var logIndex: UInt64 = 0
            for (txIndex, receipt) in receipts.enumerated() {
                for log in receipt.logs {
                    defer { logIndex += 1 }
                    guard query.matches(log) else { continue }
                    guard out.count < limit else {
                        throw RPCError.server("query returned more than \(limit) results", code: -32005)
                    }
                    out.append(format(log, block: block, txIndex: txIndex, txHash: receipt.transactionHash, logIndex: logIndex))
                }
            }
        }
        return out
    }

    static func format(_ log: Log, block: Block, txIndex: Int, txHash: Hash32, logIndex: UInt64) -> JSON {
        [
            "address": .data(log.address.bytes),
            "topics": .array(log.topics.map { .data($0.bytes) }),
            "data": .data(log.data),
            "blockNumber": .quantity(block.height),
            "transactionHash": .data(txHash.bytes),
            "transactionIndex": .quantity(UInt64(txIndex)),
            "blockHash": .data(block.hash.bytes),
            "logIndex": .quantity(logIndex),
            "removed": false,
        ]
    }
}
