import QuorateCore

/// What an export wrote.
public struct ExportSummary: Sendable, Equatable {
    public let path: String
    public let first: UInt64
    public let last: UInt64
    public let bytes: UInt64
}

extension ChainStore {
    /// Writes blocks `from...to` (default: 1 to the head) with their certificates to a new export
    /// file at `path`. Blocks below the head never change, so a running node can export while it
    /// commits; the range is fixed when the call starts.
    public func exportBlocks(to path: String, from: UInt64? = nil, to: UInt64? = nil) throws -> ExportSummary {
        let head = self.head.height
        let first = from ?? 1, last = to ?? head
        guard head >= 1 else { throw StoreError("the chain has no block after genesis yet: nothing to export") }
        guard first >= 1, first <= last else {
            throw StoreError("--from \(first) --to \(last) is not a range of blocks (block 0 is genesis, which `init` makes from the genesis file)")
        }
        guard last <= head else { throw StoreError("--to \(last) is past the head (\(head))") }
        if let oldest = try oldestBlockBody(), oldest > first {
            throw StoreError("blocks below \(oldest) were pruned from this store (--block-retention-heights) or precede its state sync: export from \(oldest)")
        }
        let writer = try BlockExportWriter(path: path, header: BlockExport.Header(chainId: chainId, genesisHash: genesisHash,
                                                                                  first: first, last: last))
        for height in first...last {
            guard let block = try block(at: height), let certificate = try certificate(at: height) else {
                throw StoreError("block \(height) or its certificate is missing from the store: it is damaged or pruned")
            }
            try writer.append(block, certificate)
        }
        try writer.finish()
        return ExportSummary(path: path, first: first, last: last, bytes: writer.bytesWritten)
    }
}
