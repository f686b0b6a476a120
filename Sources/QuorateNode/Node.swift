import Dispatch
import Foundation
import QuorateCLI
import QuorateConsensus
import QuorateCore
import QuorateCrypto
import QuorateP2P
import QuorateRPC
import QuorateState
import QuorateStorage
import Synchronization

/// One Quorate node: its store, mempool and the serial executor that builds and commits blocks.
///
/// Signature checks of submitted transactions run on the caller's thread (RPC threads), never on
/// the executor, and are cached in the mempool entry.
public final class Node: @unchecked Sendable {
    public let config: NodeConfig
    public let store: ChainStore
    public let mempool: Mempool
    public let rules: ChainRules
    let consensus: ConsensusDriver
    let networking: PeerNetworking?
    /// Who may hold a P2P session with this node; see `PeerAllowlist` and `refreshAllowlist()`.
    let allowlist: PeerAllowlist
    let senderCache = SenderCache()
    /// The one way into the mempool, for RPC submissions and gossip.
    let admission: TransactionAdmission
    /// Metrics, validator activity and the round summary (see `/metrics` and `quorate_health`).
    let telemetry: NodeTelemetry
    var healthBounds: HealthCheck.Bounds { config.healthBounds }
    let pruner: BackgroundPruner
    let stateSyncInbox = StateSyncInbox()
    /// True while `--state-sync` fetches a state: block sync waits.
    let stateSyncing = Atomic<Bool>(false)
    /// The one log of this node, handed in by whoever runs it (the CLI, a test, the simulator).
    public let logger: Logger
    private let startHeight: UInt64

    public init(config: NodeConfig, transport: ConsensusTransport = NoPeers(),
                clockMs: @escaping @Sendable () -> UInt64 = Node.wallClockMs, delays: DelayedWork = DispatchDelays(),
                logger: Logger = .standardError()) throws {
        self.config = config
        self.logger = logger
        store = try ChainStore(path: config.storePath)
        rules = ChainRules(genesis: store.genesis)
        mempool = Mempool(limits: config.mempoolLimits)
        admission = TransactionAdmission(store: store, mempool: mempool, rules: rules, senderCache: senderCache)
        telemetry = NodeTelemetry(clockMs: clockMs, logger: logger)
        startHeight = store.head.height
        if let rebuilt = store.rebuiltStateHeights {
            logger.info("node", "the last stop came before the state tree was written: executed blocks \(rebuilt.lowerBound)...\(rebuilt.upperBound) again and checked their state roots")
        }
        try store.configureStatePruning(config.stateRetentionHeights != nil)
        if let retention = config.stateRetentionHeights {
            store.configureStateFlush(StateFlushPolicy(intervalHeights: StateFlushPolicy.defaultIntervalHeights,
                                                       recentHeights: retention, phaseHeights: try Node.flushPhase(config, store)))
        }
        pruner = BackgroundPruner(store: store, stateRetention: config.stateRetentionHeights,
                                  blockRetention: config.blockRetentionHeights, logger: logger)
        if let key = config.validatorKey {
            let address = Address(key.publicKey.ethereumAddress)
            if !(try store.validators(at: store.head.height + 1)).contains(address) {
                // A validator being voted in syncs first; it starts voting at the height its set begins.
                logger.info("node", "validator \(address) is not in the current validator set: following the chain without voting until votes add it")
            }
        }
        let peers = try Node.dialedPeers(config)
        allowlist = PeerAllowlist(configured: Set(peers.map(\.publicKey.compressed) + config.allowedPeerKeys))
        if let nodeKey = config.nodeKey {
            networking = PeerNetworking(store: store, config: Node.networkConfig(config, nodeKey: nodeKey, store: store,
                                                                                 peers: peers, allowlist: allowlist, logger: logger),
                                        clockMs: clockMs)
        } else {
            networking = nil
        }
        consensus = ConsensusDriver(store: store, mempool: mempool, rules: rules, key: config.validatorKey,
                                    transport: networking ?? transport, clockMs: clockMs, telemetry: telemetry,
                                    proposalBuildMsMax: config.proposalBuildMsMax, delays: delays)
        if let networking {
            // One way: the node gives the network what it needs and pushes commits to it.
            networking.attach(host: self, syncChain: syncChain(), logger: logger)
            consensus.onCommit = { [weak self] height in self?.headMoved(to: height) }
            consensus.onFetchBlocks = { [weak networking] validator, height in
                networking?.fetchBlocks(from: validator, height: height)
            }
            // A validator behind: announcing the head again makes it ask this node for the blocks.
            let store = store
            consensus.onSyncPeer = { [weak networking] _, _ in networking?.committed(height: store.head.height) }
        }
    }

    /// Where in the write interval this node writes its state tree: a validator by its place in
    /// the set, so that the validators' writes fall on different heights; anyone else at 0.
    static func flushPhase(_ config: NodeConfig, _ store: ChainStore) throws -> UInt64 {
        let validators = try store.validators(at: store.head.height + 1)
        guard let key = config.validatorKey, let index = validators.index(of: Address(key.publicKey.ethereumAddress)) else {
            return 0
        }
        return StateFlushPolicy.phase(validatorIndex: index, of: validators.validators.count,
                                      intervalHeights: StateFlushPolicy.defaultIntervalHeights)
    }

    /// The `--peer` addresses.
    static func dialedPeers(_ config: NodeConfig) throws -> [NodeAddress] {
        try config.peers.map { text -> NodeAddress in
            do { return try parsePeerAddress(text) } catch { throw StoreError("--peer \(text): \(error)") }
        }
    }

    /// `pubkey@host:port`. `quorate-node keygen` prints keys with 0x; BOLT-style addresses have
    /// none. Take both.
    static func parsePeerAddress(_ text: String) throws(NodeAddressError) -> NodeAddress {
        try NodeAddress(parsing: text.hasPrefix("0x") ? String(text.dropFirst(2)) : text)
    }

    /// Who may connect is `allowlist`'s answer at the time of asking: the validators' node keys
    /// (kept current by `refreshAllowlist()`), the peers this node dials, the extra (non-voting)
    /// keys it was given, and the peers `admin_addPeer` added.
    static func networkConfig(_ config: NodeConfig, nodeKey: Secp256k1.PrivateKey, store: ChainStore,
                              peers: [NodeAddress], allowlist: PeerAllowlist, logger: Logger) -> NetworkConfig {
        NetworkConfig(nodeKey: nodeKey, listenHost: config.p2pHost, listenPort: config.p2pPort, peers: peers,
                      isAllowed: { allowlist.contains($0.compressed) }, chainId: store.chainId,
                      genesisHash: store.genesisHash, log: { logger.p2pLine($0) })
    }

    public func start() throws {
        // Chain keys before the listener opens, so the validators are admitted from the start.
        refreshAllowlist()
        if config.stateSync, let networking {
            try startWithStateSync(networking)
        } else {
            try consensus.start()
            try networking?.start()
        }
        pruner.start()
    }

    public func stop() {
        pruner.stop()
        networking?.stop()
        consensus.stop()
        // A clean stop writes the tree's unwritten nodes, so the next start executes nothing again.
        do { try store.flushState() } catch { logger.error("node", "could not write the state tree on stop (\(error)); the next start rebuilds it from the blocks") }
    }

    /// The P2P port actually bound (with `p2pPort` 0 in tests); nil without a network.
    public var p2pPort: UInt16? { networking?.boundPort }

    public var consensusStatus: ConsensusStatus? { consensus.status }

    public static let wallClockMs: @Sendable () -> UInt64 = {
        UInt64(Date().timeIntervalSince1970 * 1000)
    }

    /// Checks and pools a client's raw transaction (`TransactionAdmission`), then tells the network
    /// and consensus. Every refusal is an `AdmissionError`, which the RPC answers in geth's words.
    /// Gossip comes in batches through `admitGossiped`.
    public func submit(raw: [UInt8]) throws(AdmissionError) -> Hash32 {
        let tx: Transaction
        do { tx = try admission.admit(raw: raw) } catch {
            telemetry.rejected(reason: error.reason, local: true)
            throw error
        }
        telemetry.admitted(tx.hash)
        networking?.gossipTransaction(raw)
        consensus.transactionsArrived()
        return tx.hash
    }

    public func syncStatus() -> (startingBlock: UInt64, currentBlock: UInt64, highestBlock: UInt64)? {
        networking?.syncStatus()
    }

    /// Blocks until the block at `height` is committed or `timeoutMs` passes; for tools and tests.
    public func waitForHeight(_ height: UInt64, timeoutMs: UInt64) -> Bool {
        let deadline = Node.wallClockMs() + timeoutMs
        while store.head.height < height {
            if Node.wallClockMs() > deadline { return false }
            usleep(2_000)
        }
        return true
    }
}
