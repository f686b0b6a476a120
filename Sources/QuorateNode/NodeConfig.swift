import QuorateCore
import QuorateCrypto
import QuorateRPC

public struct NodeConfig: Sendable {
    public var dataDir: String
    public var rpcHost = "127.0.0.1"
    public var rpcPort: UInt16 = 8545
    /// The consensus signing key; nil runs a non-voting node.
    public var validatorKey: Secp256k1.PrivateKey?
    public var mempoolLimits = Mempool.Limits()
    /// How long building a proposal may execute transactions before the block is closed; nil is a
    /// quarter of the chain's `timeoutProposeMs`, 0 no bound but the chain's limits.
    public var proposalBuildMsMax: UInt64?
    /// The P2P identity; nil runs without a network (a lone validator, or tests).
    public var nodeKey: Secp256k1.PrivateKey?
    /// Authenticated and allowlisted, so listening beyond loopback is the normal case for P2P.
    public var p2pHost = "0.0.0.0"
    public var p2pPort: UInt16 = 30333
    /// Peers to dial, as `pubkey@host:port`.
    public var peers: [String] = []
    /// Node keys allowed to connect besides the validators' (non-voting nodes).
    public var allowedPeerKeys: [[UInt8]] = []
    /// When `/health` calls the chain stalled or this node lagging (docs/monitoring.md).
    var healthBounds = HealthCheck.Bounds()
    /// State trees kept whole behind the head; older superseded tree nodes are deleted in the
    /// background. nil keeps every state (an archive node). See docs/operations.md, "Pruning".
    public var stateRetentionHeights: UInt64? = NodeConfig.defaultStateRetentionHeights
    /// Block bodies, receipts and certificates kept behind the head; nil (the default) keeps all.
    public var blockRetentionHeights: UInt64?
    public static let defaultStateRetentionHeights: UInt64 = 128
    /// On a store at genesis, take the state of a peer's certified head instead of replaying.
    public var stateSync = false
    /// eth_call / eth_estimateGas bounds (`--rpc-gascap`, `--rpc-evmtimeout-ms`).
    public var callLimits = CallLimits()

    public init(dataDir: String) {
        self.dataDir = dataDir
    }

    public var storePath: String { dataDir + "/chain" }
    public var keysDir: String { dataDir + "/keys" }
    public var validatorKeyPath: String { keysDir + "/validator.json" }
    public var nodeKeyPath: String { keysDir + "/node.json" }
    public var rpcTokenPath: String { dataDir + "/rpc.token" }
}
