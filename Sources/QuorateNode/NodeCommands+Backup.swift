import Foundation
import QuorateCLI
import QuorateCrypto
import QuorateRPC
import QuorateStorage

extension NodeCommands {
    /// `backup --rpc URL --token-file F --out DIR`: asks a running node for an online backup. DIR
    /// is a path on the node's machine (the node writes it).
    public static func backup(_ args: inout CommandLineArguments) throws {
        let url = try args.required("rpc", "URL")
        let tokenFile = try args.required("token-file", "FILE")
        let out = try args.required("out", "DIR")
        try args.refuseUnknown()
        guard let tokenBytes = FileManager.default.contents(atPath: tokenFile),
              let token = String(bytes: tokenBytes, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty else {
            throw StoreError("cannot read the admin token from \(tokenFile) (the node writes it to DATADIR/rpc.token)")
        }
        // A backup of a large store takes a while: wait for it.
        let client = try RPCClient(url: url, ioTimeoutSeconds: 3_600)
        client.bearerToken = token
        let dir = out.hasPrefix("/") ? out : FileManager.default.currentDirectoryPath + "/" + out
        let answer = try client.call("admin_backup", [.string(dir)])
        print("backup of chain \(answer["chainId"]?.stringValue ?? "?") at height \(answer["height"]?.stringValue ?? "?") written to \(dir)")
    }

    /// `restore --from DIR --datadir D [--force]`.
    public static func restore(_ args: inout CommandLineArguments) throws {
        let from = try args.required("from", "DIR")
        let config = NodeConfig(dataDir: try args.required("datadir", "DIR"))
        let force = args.flag("force")
        try args.refuseUnknown()
        let manifest = try NodeBackup.readManifest(from)
        guard manifest.schema <= ChainStore.schemaVersion else {
            throw StoreError("the backup has store schema \(manifest.schema), newer than this quorate-node (\(ChainStore.schemaVersion)): restore it with a newer quorate-node")
        }
        let fm = FileManager.default
        if let existing = try NodeBackup.existingStore(config.storePath) {
            let newer = existing.head > manifest.height || (existing.signed ?? 0) > manifest.height + 1
            if newer && !force {
                throw StoreError("the store in \(config.dataDir) is at height \(existing.head)\(existing.signed.map { " and its validator last signed at height \($0)" } ?? ""), newer than the backup (height \(manifest.height)). Restoring would roll back the validator's record of what it signed: a validator restored this way could sign a second, different vote at a height it already voted on (a double sign, which other validators can prove). Nothing was changed. If this validator's original is gone for good and you accept that risk, run again with --force (the current store is kept aside as chain.before-restore)")
            }
        }
        for name in NodeBackup.keyFiles {
            let target = config.keysDir + "/" + name
            guard let saved = fm.contents(atPath: from + "/keys/" + name), let current = fm.contents(atPath: target), saved != current, !force else { continue }
            throw StoreError("\(target) differs from the backup's keys/\(name): restoring would replace this node's key. Nothing was changed. Run again with --force only if the backup's key is the one this node must use (never run two nodes with the same validator key: they would double-sign)")
        }
        try fm.createDirectory(atPath: config.keysDir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let staging = config.dataDir + "/chain.restoring"
        try? fm.removeItem(atPath: staging)
        do {
            try fm.copyItem(atPath: from + "/chain", toPath: staging)
            for (name, sum) in manifest.files.sorted(by: { $0.key < $1.key }) {
                guard let bytes = fm.contents(atPath: from + "/" + name), Hex.encode(SHA256.hash(Array(bytes))) == sum else {
                    throw StoreError("\(from)/\(name) is missing or does not match the manifest's checksum: the backup is damaged")
                }
            }
            let store = try ChainStore.verifyBackup(storePath: staging, manifest: manifest)
            let height = store.head.height
            _ = consume store
            if fm.fileExists(atPath: config.storePath) {
                let aside = config.dataDir + "/chain.before-restore"
                try? fm.removeItem(atPath: aside)
                try fm.moveItem(atPath: config.storePath, toPath: aside)
                Logger.standardError().info("node", "kept the previous store as \(aside)")
            }
            try fm.moveItem(atPath: staging, toPath: config.storePath)
            for name in NodeBackup.keyFiles where fm.fileExists(atPath: from + "/keys/" + name) {
                let target = config.keysDir + "/" + name
                try? fm.removeItem(atPath: target)
                try fm.copyItem(atPath: from + "/keys/" + name, toPath: target)
                try fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: target)
            }
            print("restored chain \(manifest.chainId) at height \(height) into \(config.dataDir); start the node and it catches up from its peers by block sync")
        } catch {
            try? fm.removeItem(atPath: staging)
            throw error
        }
    }
}
