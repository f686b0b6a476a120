import QuorateCore
import QuorateCrypto

public struct NodeConfig: Sendable {
    public var dataDir: String
    public var rpcHost = "127.0.0.1"
    public var rpcPort: UInt16 = 8545
    /// The consensus signing key; nil runs a non-voting node.
    public var validatorKey: Secp256k1.PrivateKey?
    public var mempoolLimits = Mempool.Limits()

    public init(dataDir: String) {
        self.dataDir = dataDir
    }

    public var storePath: String { dataDir + "/chain" }
    public var keysDir: String { dataDir + "/keys" }
    public var validatorKeyPath: String { keysDir + "/validator.json" }
    public var nodeKeyPath: String { keysDir + "/node.json" }
    public var rpcTokenPath: String { dataDir + "/rpc.token" }
}
