import QuorateCLI
import QuorateRPC
import QuorateStorage

extension Node: RPCDataBackend {
    public func exportBlocks(path: String, from: UInt64?, to: UInt64?) throws -> (first: UInt64, last: UInt64, bytes: UInt64) {
        let summary = try store.exportBlocks(to: path, from: from, to: to)
        return (summary.first, summary.last, summary.bytes)
    }

    public func backup(path: String) throws -> (height: UInt64, headHash: String, entries: UInt64) {
        let manifest = try NodeBackup.create(store: store, config: config, to: path)
        logger.info("node", "backup of height \(manifest.height) written to \(path) (\(manifest.entries) entries)")
        return (manifest.height, manifest.headHash, manifest.entries)
    }
}
