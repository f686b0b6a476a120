import Foundation
import QuorateCLI
import QuorateStorage

extension NodeCommands {
    /// `export --datadir D --out FILE [--from H] [--to H]`, on a stopped node (a running node
    /// holds the store's lock: use `admin_exportBlocks` there).
    public static func export(_ args: inout CommandLineArguments) throws {
        let config = NodeConfig(dataDir: try args.required("datadir", "DIR"))
        let out = try args.required("out", "FILE")
        let from = try args.option("from").map { try uint64($0, "from") }
        let to = try args.option("to").map { try uint64($0, "to") }
        try args.refuseUnknown()
        let store = try ChainStore(path: config.storePath)
        let summary = try store.exportBlocks(to: out, from: from, to: to)
        print("exported blocks \(summary.first)...\(summary.last) of chain \(store.chainId) to \(summary.path) (\(summary.bytes) bytes)")
    }

    /// `import --datadir D --in FILE`, on a stopped node whose store was made with `init` from the
    /// same genesis.
    public static func importBlocks(_ args: inout CommandLineArguments) throws {
        let config = NodeConfig(dataDir: try args.required("datadir", "DIR"))
        let path = try args.required("in", "FILE")
        try args.refuseUnknown()
        let store = try ChainStore(path: config.storePath)
        let summary = try BlockImport(store: store, logger: .standardError()).run(path: path)
        if summary.imported == 0 {
            print("nothing to import: all \(summary.alreadyPresent) blocks of \(path) are already in the store (head \(summary.head))")
        } else {
            print("imported \(summary.imported) blocks (\(summary.alreadyPresent) already present); head is now \(summary.head)")
        }
    }
}
