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
