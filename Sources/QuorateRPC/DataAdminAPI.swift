/// What the data-management admin methods need: export of blocks and online backup, both written
/// to a path on the node's own machine (as geth's `admin_exportChain`), never streamed back.
public protocol RPCDataBackend: AnyObject, Sendable {
    /// Writes blocks `from...to` to a new export file; returns (first, last, bytes).
    func exportBlocks(path: String, from: UInt64?, to: UInt64?) throws -> (first: UInt64, last: UInt64, bytes: UInt64)
    /// Writes an online backup into the new directory `path`; returns (height, head hash as 0x-hex, entries).
    func backup(path: String) throws -> (height: UInt64, headHash: String, entries: UInt64)
    var chainId: UInt64 { get }
}

/// `admin_exportBlocks` and `admin_backup`: token-protected like every `admin_` method.
public enum DataAdminAPI {
    public static func register(on d: RPCDispatcher, backend: RPCDataBackend) {
        d.register("admin_exportBlocks", admin: true) { p in
            try p.expectCount(1...3)
            let path = try absolutePath(try p.string(at: 0))
            let from = try p.ifPresent(1) { i throws(RPCError) in try p.quantityUInt64(at: i) }
            let to = try p.ifPresent(2) { i throws(RPCError) in try p.quantityUInt64(at: i) }
            let done: (first: UInt64, last: UInt64, bytes: UInt64)
            do { done = try backend.exportBlocks(path: path, from: from, to: to) } catch {
                throw RPCError.server("export failed: \(error)")
            }
            return ["path": .string(path), "from": .quantity(done.first), "to": .quantity(done.last), "bytes": .quantity(done.bytes)]
        }
        d.register("admin_backup", admin: true) { p in
            try p.expectCount(1)
            let path = try absolutePath(try p.string(at: 0))
            let done: (height: UInt64, headHash: String, entries: UInt64)
            do { done = try backend.backup(path: path) } catch {
                throw RPCError.server("backup failed: \(error)")
            }
            return ["path": .string(path), "chainId": .quantity(backend.chainId), "height": .quantity(done.height),
                    "headHash": .string(done.headHash), "entries": .quantity(done.entries)]
        }
    }

    /// A relative path would resolve against the node's working directory, which the caller
    /// cannot see: refused.
    static func absolutePath(_ path: String) throws(RPCError) -> String {
        guard path.hasPrefix("/") else {
            throw RPCError.invalidParams("the path must be absolute (it is a path on the node's machine): \(path)")
        }
        return path
    }
}
