import QuorateCore
import QuorateRPC

/// A committed block as the bench sees it.
struct ObservedBlock: Sendable {
    let height: UInt64
    let timestampMs: UInt64
    let transactionHashes: [String]
}

/// Typed JSON-RPC reads over one client (one thread).
struct ChainReader {
    static let batchMax = 1_000
    let client: RPCClient

    init(url: String) throws {
        client = try RPCClient(url: url)
    }

    func chainId() throws -> UInt64 { try uint64(try client.call("eth_chainId", []), "eth_chainId") }
    func height() throws -> UInt64 { try uint64(try client.call("eth_blockNumber", []), "eth_blockNumber") }
    func gasPrice() throws -> UInt256 { try uint256(try client.call("eth_gasPrice", []), "eth_gasPrice") }

    func balances(_ addresses: [Address]) throws -> [UInt256] {
        try batched(addresses.map { ("eth_getBalance", [.string($0.hex), "latest"]) }).map { try uint256($0, "eth_getBalance") }
    }

    func nonces(_ addresses: [Address], tag: String = "latest") throws -> [UInt64] {
        try batched(addresses.map { ("eth_getTransactionCount", [.string($0.hex), .string(tag)]) })
            .map { try uint64($0, "eth_getTransactionCount") }
    }

    /// Blocks `heights` with transaction hashes only; nil for a height not committed yet.
    func blocks(_ heights: [UInt64]) throws -> [ObservedBlock?] {
        try batched(heights.map { ("eth_getBlockByNumber", [.quantity($0), false]) }).map(ChainReader.block)
    }

    /// Receipts of the given hashes (nil: no receipt).
    func receipts(_ hashes: [String]) throws -> [JSON?] {
        try batched(hashes.map { ("eth_getTransactionReceipt", [.string($0)]) }).map { $0.isNull ? nil : $0 }
    }

    static func block(_ json: JSON) throws -> ObservedBlock? {
        guard !json.isNull else { return nil }
        guard let number = json["number"]?.stringValue.flatMap({ UInt256(hexQuantity: $0)?.uint64 }),
              let ms = json["timestampMs"]?.stringValue.flatMap({ UInt256(hexQuantity: $0)?.uint64 }),
              let txs = json["transactions"]?.arrayValue else {
            throw BenchError("eth_getBlockByNumber answered a block without number, timestampMs or transactions: is this a Quorate node?")
        }
        return ObservedBlock(height: number, timestampMs: ms, transactionHashes: txs.compactMap(\.stringValue))
    }

    /// Calls in batches of at most `batchMax`; any error answer is thrown with its method.
    func batched(_ calls: [(String, [JSON])]) throws -> [JSON] {
        var out = [JSON]()
        out.reserveCapacity(calls.count)
        for start in stride(from: 0, to: calls.count, by: ChainReader.batchMax) {
            let slice = Array(calls[start..<min(calls.count, start + ChainReader.batchMax)])
            for (i, answer) in try client.batch(slice.map { (method: $0.0, params: $0.1) }).enumerated() {
                switch answer {
                case .success(let value): out.append(value)
                case .failure(let error): throw BenchError("\(slice[i].0) failed: \(error.message)")
                }
            }
        }
        return out
    }

    private func uint64(_ json: JSON, _ method: String) throws -> UInt64 {
        guard let v = try uint256(json, method).uint64 else { throw BenchError("\(method) answered \(json): over 64 bits") }
        return v
    }

    private func uint256(_ json: JSON, _ method: String) throws -> UInt256 {
        guard let text = json.stringValue, let v = UInt256(hexQuantity: text) else {
            throw BenchError("\(method) answered \(json), not a hex quantity")
        }
        return v
    }
}
