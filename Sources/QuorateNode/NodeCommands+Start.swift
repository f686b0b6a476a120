import Dispatch
import Foundation
import QuorateCLI
import QuorateCore
import QuorateCrypto
import QuorateRPC

extension NodeCommands {
    public static func start(_ args: inout CommandLineArguments) throws {
        var config = NodeConfig(dataDir: try args.required("datadir", "DIR"))
        if let host = args.option("rpc-host") { config.rpcHost = host }
        if let port = args.option("rpc-port") {
            guard let p = UInt16(port) else { throw CommandLineArguments.UsageError("--rpc-port must be 0...65535") }
            config.rpcPort = p
        }
        let nonVoting = args.flag("non-voting")
        try Self.parseCallLimits(&args, into: &config)
        try Self.loadOptions(&args, into: &config)
        let keyPath = args.option("validator-key") ?? config.validatorKeyPath
        let nodeKeyPath = args.option("node-key") ?? config.nodeKeyPath
        let passwordFile = args.option("password-file")
        if let host = args.option("p2p-host") { config.p2pHost = host }
        if let port = args.option("p2p-port") {
            guard let p = UInt16(port) else { throw CommandLineArguments.UsageError("--p2p-port must be 0...65535") }
            config.p2pPort = p
        }
        config.peers = args.options("peer")
        config.allowedPeerKeys = try args.options("allow-peer").map { text in
            guard let key = try? Hex.decode(text), key.count == 33 else {
                throw CommandLineArguments.UsageError("--allow-peer \(text): expected a 33-byte compressed node public key in hex")
            }
            return key
        }
        let logger = try readObservability(&args, into: &config)
        try retentionOptions(&args, into: &config, logger: logger)
        config.stateSync = args.flag("state-sync")
        try args.refuseUnknown()

        let needsValidatorKey = !nonVoting
        let hasNodeKey = FileManager.default.fileExists(atPath: nodeKeyPath)
        if needsValidatorKey && !FileManager.default.fileExists(atPath: keyPath) {
            throw KeyFiles.KeyFileError(description: "no validator key at \(keyPath): create one with `quorate-node keygen`, give --validator-key FILE, or run with --non-voting")
        }
        if !config.peers.isEmpty && !hasNodeKey {
            throw KeyFiles.KeyFileError(description: "--peer needs a node key at \(nodeKeyPath): create one with `quorate-node keygen` or give --node-key FILE")
        }
        if needsValidatorKey || hasNodeKey {
            let password = try PasswordSource.read(file: passwordFile, prompt: "Password of the node's keys: ")
            if needsValidatorKey { config.validatorKey = try KeyFiles.read(keyPath, password: password) }
            if hasNodeKey { config.nodeKey = try KeyFiles.read(nodeKeyPath, password: password) }
        }
        let node = try Node(config: config, logger: logger)
        let server = try startRPC(node: node, config: config)
        try node.start()
        let head = node.store.head
        logger.info("node", "chain \(node.rules.chainId) at height \(head.height) (\(head.hash)); \(config.validatorKey == nil ? "non-voting" : "validator \(Address(config.validatorKey!.publicKey.ethereumAddress))")")
        if let p2p = node.p2pPort, let nodeKey = config.nodeKey {
            logger.info("node", "p2p listening on \(config.p2pHost):\(p2p) as \(Hex.encode(nodeKey.publicKey.compressed, prefix: true))")
        }
        let url = "http://\(config.rpcHost):\(server.boundPort ?? config.rpcPort)"
        print("JSON-RPC listening on \(url)")
        logger.info("node", "explorer at \(url)/explorer; metrics at \(url)/metrics; health at \(url)/health")
        waitForTermination()
        logger.info("node", "stopping")
        server.stop()
        node.stop()
        // As bitcoind's cookie: the token is only valid while this process runs.
        try? FileManager.default.removeItem(atPath: config.rpcTokenPath)
    }

    static func startRPC(node: Node, config: NodeConfig) throws -> RPCHTTPServer {
        if !["127.0.0.1", "localhost", "::1"].contains(config.rpcHost) {
            node.logger.warn("node", "JSON-RPC is exposed on \(config.rpcHost); anyone who can reach it can submit transactions and read the ledger")
        }
        let token = Hex.encode(SecureRandom.bytes(32))
        // Rewritten at every start, as bitcoind's cookie: whoever can read the data directory is admin.
        try? FileManager.default.removeItem(atPath: config.rpcTokenPath)
        try KeyFiles.writePrivate(Array((token + "\n").utf8), to: config.rpcTokenPath)
        let dispatcher = RPCDispatcher(unauthorizedMessage: "unauthorized: admin methods need `Authorization: Bearer <token>` with the token from \(config.rpcTokenPath)")
        EthAPI.register(on: dispatcher, backend: node)
        GovernanceAPI.register(on: dispatcher, backend: node)
        AdminAPI.register(on: dispatcher, backend: node)
        node.registerHealth(on: dispatcher)
        dispatcher.observeCalls { [telemetry = node.telemetry] method, seconds, failed in
            telemetry.metrics.add("quorate_rpc_requests_total", [("method", method)])
            if failed { telemetry.metrics.add("quorate_rpc_errors_total", [("method", method)]) }
            telemetry.metrics.observe("quorate_rpc_request_duration_seconds", [("method", method)], seconds)
        }
        DataAdminAPI.register(on: dispatcher, backend: node)
        let server = RPCHTTPServer(
            host: config.rpcHost, port: config.rpcPort, dispatcher: dispatcher,
            config: RPCServerConfig(adminToken: token),
            health: { [weak node] in node?.liveness() ?? (503, ["status": "stopping"]) },
            metrics: { [weak node] in node.map(NodeMetrics.render) ?? "" },
            readiness: { [weak node] in node?.readiness() ?? (503, ["status": "stopping"]) })
        try server.start()
        return server
    }

    /// Blocks until SIGINT or SIGTERM.
    static func waitForTermination() {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let done = DispatchSemaphore(value: 0)
        let sources = [SIGINT, SIGTERM].map { sig -> DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { done.signal() }
            source.resume()
            return source
        }
        done.wait()
        sources.forEach { $0.cancel() }
    }
}

extension NodeCommands {
    /// `--log-format text|json`, `--log-level debug|info|warn|error`, and the health bounds
    /// `--health-stall-seconds N` and `--health-lag-blocks N` (docs/monitoring.md). Returns the
    /// node's logger, made from the first two.
    static func readObservability(_ args: inout CommandLineArguments, into config: inout NodeConfig) throws -> Logger {
        let format = try args.option("log-format").map(Logger.Format.init(parsing:)) ?? .text
        let level = try args.option("log-level").map(Logger.Level.init(parsing:)) ?? .info
        if let text = args.option("health-stall-seconds") {
            guard let s = UInt64(text), (1...86_400).contains(s) else {
                throw CommandLineArguments.UsageError("--health-stall-seconds must be 1...86400")
            }
            config.healthBounds.stallMs = s * 1000
        }
        if let text = args.option("health-lag-blocks") {
            guard let n = UInt64(text), n >= 1 else { throw CommandLineArguments.UsageError("--health-lag-blocks must be at least 1") }
            config.healthBounds.lagBlocks = n
        }
        return Logger.standardError(format: format, level: level)
    }
}
