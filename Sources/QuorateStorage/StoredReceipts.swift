import QuorateCore

/// A block's receipts as the store keeps them: per transaction only what execution decided —
/// `[status, gasUsed, from, contractAddress or empty, logs]` — about 30 bytes for a transfer
/// instead of the 95 of the full receipt. The rest (hash, type, recipient, cumulative gas,
/// effective gas price) is derived from the block when read, as geth derives its receipt
/// fields. `from` stays: recovering it on read would cost a signature recovery per receipt, and
/// block sync serves it as the senders' hint. Lists of full 10-field receipts, written before
/// this format, still read.
enum StoredReceipts {
    static func encode(_ receipts: [Receipt]) -> [UInt8] {
        RLP.encode(.list(receipts.map { r in
            .list([RLPItem(UInt64(r.status)), RLPItem(r.gasUsed), RLPItem(r.from),
                   r.contractAddress.map { RLPItem($0) } ?? RLPItem(bytes: []), .list(r.logs.map(\.rlp))])
        }))
    }

    /// The full receipts; `block` is read only for the compact form.
    static func decode(_ bytes: [UInt8], block: () throws -> Block?) throws -> [Receipt] {
        let items = try RLP.decode(bytes).listValue()
        guard let first = items.first else { return [] }
        if try first.listValue().count == 10 { return try items.map { try Receipt(rlp: $0) } }
        guard let block = try block(), block.transactions.count == items.count else {
            throw RLPError(description: "stored receipts: \(items.count) receipts without a block of as many transactions")
        }
        var cumulative: UInt64 = 0
        return try zip(items, block.transactions).map { item, tx in
            let f = try item.listValue()
            guard f.count == 5 else { throw RLPError(description: "stored receipt: expected 5 fields, got \(f.count)") }
            let status = try f[0].uint64Value()
            guard status <= 1 else { throw RLPError(description: "stored receipt: status must be 0 or 1, got \(status)") }
            let gasUsed = try f[1].uint64Value()
            let (sum, overflow) = cumulative.addingReportingOverflow(gasUsed)
            guard !overflow else { throw RLPError(description: "stored receipts: cumulative gas overflows") }
            cumulative = sum
            let contract = try f[3].bytesValue()
            return Receipt(transactionHash: tx.hash, type: tx.type, status: UInt8(status), from: try f[2].addressValue(),
                           to: tx.to, gasUsed: gasUsed, cumulativeGasUsed: cumulative,
                           effectiveGasPrice: tx.effectiveGasPrice(baseFee: block.header.baseFeePerGas),
                           contractAddress: contract.isEmpty ? nil : try f[3].addressValue(),
                           logs: try f[4].listValue().map { try Log(rlp: $0) })
        }
    }

    /// Only the senders, without reading the block.
    static func senders(_ bytes: [UInt8]) throws -> [Address] {
        try RLP.decode(bytes).listValue().map { item in
            let f = try item.listValue()
            guard f.count == 5 || f.count == 10 else { throw RLPError(description: "stored receipt: \(f.count) fields") }
            return try f[f.count == 5 ? 2 : 3].addressValue()
        }
    }
}
