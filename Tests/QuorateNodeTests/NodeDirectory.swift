import Foundation
import QuorateCore
@testable import QuorateNode
import QuorateStorage

/// A fresh data directory whose store starts at `genesis`, for a test that runs a `Node`.
struct NodeDirectory {
    let path: String
    var config: NodeConfig

    init(_ name: String, genesis: Genesis) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("quorate-\(name)-\(UUID().uuidString)").path
        config = NodeConfig(dataDir: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try ChainStore.initialize(path: config.storePath, genesis: genesis)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

extension Node {
    /// Waits until the consensus executor has run everything handed to it so far and no decided
    /// block is still being written: a lone validator decides a height within one drain, and its
    /// commit writer then hands back to the executor (which may decide and write the next one).
    func settledHeight() -> UInt64 {
        while true {
            consensus.commitWriter.sync {}
            if consensus.executor.sync(execute: { consensus.pendingCommit == nil }) { break }
        }
        return store.head.height
    }
}
