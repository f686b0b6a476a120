/// The pre-signed transfers, each already rendered as one JSON-RPC call
/// (`{"jsonrpc":"2.0","id":I,"method":"eth_sendRawTransaction","params":["0x..."]}`, with the
/// transfer's index as id), in one flat buffer: a batch body is a copy of its calls.
struct SignedTransfers: Sendable {
    let plan: TransferPlan
    let bytes: [UInt8]
    /// Call `i` is `bytes[offsets[i]..<offsets[i + 1]]`.
    let offsets: [Int]
    let keys: [TxKey]

    var count: Int { keys.count }

    /// The batch body for the given transfers (`[call,call,...]`).
    func batchBody(_ indices: [Int]) -> [UInt8] {
        var body = [UInt8]()
        body.reserveCapacity(indices.reduce(2) { $0 + offsets[$1 + 1] - offsets[$1] + 1 })
        body.append(UInt8(ascii: "["))
        for (n, i) in indices.enumerated() {
            if n > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: bytes[offsets[i]..<offsets[i + 1]])
        }
        body.append(UInt8(ascii: "]"))
        return body
    }

    /// Index of each transfer by hash, to find the bench's transfers in blocks.
    func indexByKey() -> [TxKey: Int32] {
        var index = [TxKey: Int32](minimumCapacity: keys.count)
        for (i, key) in keys.enumerated() { index[key] = Int32(i) }
        return index
    }
}
