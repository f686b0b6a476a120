import Foundation
import QuorateCore
import QuorateCrypto

/// A peer's identity: its secp256k1 node key, authenticated by the BOLT 8 handshake.
public typealias PeerID = Secp256k1.PublicKey

/// The peers layer's limits, each named so that docs, logs and tests refer to the same thing.
/// Per-connection transport limits (message size, send queue, handshake and write timeouts)
/// are in `peer` (`PeerLimits`).
public struct NetworkLimits: Sendable, Equatable {
    /// Sessions at once (inbound and outbound). An inbound peer beyond it is refused after the
    /// handshake; configured peers are always dialed. Default 300: a full mesh of the largest
    /// validator set a certificate carries (256) plus non-voting nodes.
    public var maxPeers: Int
    /// Token bucket per peer, in messages: refilled at `messagesPerSecond`, holding at most
    /// `messageBurst`. A message that finds the bucket empty is misbehaviour. Defaults
    /// 10,000/s and 20,000. A healthy validator of four at 40 heights/s sends each peer about
    /// 900 messages/s (its own votes, relayed votes, gossip batches every 5 ms and their
    /// relays), and heights can run several times faster; 500/s once held honest peers off
    /// under load and stalled the chain (docs/benchmarks.md).
    public var messagesPerSecond: Double
    public var messageBurst: Int
    /// Raw transactions in one `transactions` message. More is misbehaviour; broadcasts are
    /// split to fit. Default 1000.
    public var maxTransactionsPerMessage: Int
    /// Blocks in one `blocks` response; a `getBlocks` asking for more is served this many.
    /// More in a response is misbehaviour. Default 64.
    public var maxBlocksPerResponse: Int
    /// How long a misbehaving peer's key is refused (inbound) and not dialed. Default 60 s.
    public var misbehaviourHoldOff: Duration
    /// Time after the handshake within which the peer's hello must arrive. Default 10 s.
    public var helloTimeout: Duration
    /// Liveness (`SessionLiveness`): a session on which we sent nothing for
    /// `keepAliveInterval` gets a `status` message (our height), and one on which nothing at
    /// all arrived for `idleTimeout` (not a message, not a byte of one) is closed as a dead
    /// link. Defaults 500 ms and 2 s. Why: validators re-send their latest proposal and votes
    /// every rebroadcast interval (the genesis `timeoutPrevoteMs`, 500 ms by default) and idle
    /// peers exchange keep-alives every 500 ms, so a live peer is never silent for more than
    /// about half a second; 2 s is four missed keep-alives, enough to ride out a scheduling
    /// stall of a busy host, and short enough that a cut link is redialed about a second later
    /// instead of waiting for the kernel's retransmission timer (issue 16).
    public var keepAliveInterval: Duration
    public var idleTimeout: Duration
    /// Reconnect backoff of dialed peers: starts at `reconnectInitialDelay`, doubles after
    /// each failed attempt (or a session that ended before the hellos were exchanged), capped
    /// at `validatorReconnectMaxDelay` for validators of the current set
    /// (`NetworkConfig.isValidator`) and at `reconnectMaxDelay` for other peers; back to the
    /// initial delay after a session that got past hello. Defaults 250 ms, 500 ms and 10 s.
    /// A dial that gets no answer gives up after `PeerLimits.connectTimeout` (1 s), so toward a
    /// validator a fresh SYN leaves at least every 1.5 s while the link is down, and a healed
    /// link is found within that (both sides dial, so usually sooner).
    public var reconnectInitialDelay: Duration
    public var reconnectMaxDelay: Duration
    public var validatorReconnectMaxDelay: Duration
    /// Hashes in one `poolHashes` or `getPoolTransactions` message; more is misbehaviour.
    /// Default 4096 (128 KiB of hashes), the most a node announces on connect
    /// (`PeerNetworking.maxPoolAnnouncement`).
    public var maxHashesPerMessage: Int
    /// Transport limits of every connection, among them `maxMessageBytes` (largest message in
    /// either direction, default 66 MiB; a node lowers it to what its genesis needs).
    public var peer: PeerLimits

    public static let `default` = NetworkLimits()

    public init(maxPeers: Int = 300,
                messagesPerSecond: Double = 10_000,
                messageBurst: Int = 20_000,
                maxTransactionsPerMessage: Int = 1000,
                maxBlocksPerResponse: Int = 64,
                misbehaviourHoldOff: Duration = .seconds(60),
                helloTimeout: Duration = .seconds(10),
                keepAliveInterval: Duration = .milliseconds(500),
                idleTimeout: Duration = .seconds(2),
                reconnectInitialDelay: Duration = .milliseconds(250),
                reconnectMaxDelay: Duration = .seconds(10),
                validatorReconnectMaxDelay: Duration = .milliseconds(500),
                maxHashesPerMessage: Int = 4096,
                peer: PeerLimits = .default) {
        self.maxPeers = maxPeers
        self.messagesPerSecond = messagesPerSecond
        self.messageBurst = messageBurst
        self.maxTransactionsPerMessage = maxTransactionsPerMessage
        self.maxBlocksPerResponse = maxBlocksPerResponse
        self.misbehaviourHoldOff = misbehaviourHoldOff
        self.helloTimeout = helloTimeout
        self.keepAliveInterval = keepAliveInterval
        self.idleTimeout = idleTimeout
        self.reconnectInitialDelay = reconnectInitialDelay
        self.reconnectMaxDelay = reconnectMaxDelay
        self.validatorReconnectMaxDelay = validatorReconnectMaxDelay
        self.maxHashesPerMessage = maxHashesPerMessage
        self.peer = peer
    }

    func validate() {
        precondition(maxPeers > 0, "NetworkLimits.maxPeers must be positive")
        precondition(messagesPerSecond > 0 && messageBurst > 0, "NetworkLimits rate limits must be positive")
        precondition(maxTransactionsPerMessage > 0 && maxBlocksPerResponse > 0, "NetworkLimits counts must be positive")
        precondition(misbehaviourHoldOff >= .zero && helloTimeout > .zero, "NetworkLimits durations must be positive")
        precondition(keepAliveInterval > .zero && idleTimeout > keepAliveInterval,
                     "NetworkLimits.idleTimeout must be above keepAliveInterval")
        precondition(reconnectInitialDelay > .zero && reconnectMaxDelay >= reconnectInitialDelay
                        && validatorReconnectMaxDelay >= reconnectInitialDelay,
                     "NetworkLimits reconnect delays must be positive, maxima >= initial")
        precondition(maxHashesPerMessage > 0, "NetworkLimits.maxHashesPerMessage must be positive")
    }
}

/// Everything a `Network` needs to know.
public struct NetworkConfig: Sendable {
    /// This node's key; peers dial it as `pubkey@host:port`.
    public var nodeKey: Secp256k1.PrivateKey
    public var listenHost: String
    /// 0 lets the kernel pick (tests); `Network.boundPort` tells which.
    public var listenPort: UInt16
    /// Peers to dial and keep connected (reconnected with capped exponential backoff).
    public var peers: [NodeAddress]
    /// Whether a key may be connected: the validators' node keys plus configured non-voting
    /// nodes. Asked right after act three for inbound connections, before dialing, and by
    /// `Network.recheckAllowlist()` for open sessions. Called from network threads.
    public var isAllowed: @Sendable (PeerID) -> Bool
    /// Whether a key is a validator of the current set: its dialer backs off at most
    /// `NetworkLimits.validatorReconnectMaxDelay`. Asked before each backoff, from dialer threads.
    public var isValidator: @Sendable (PeerID) -> Bool
    /// Exchanged in the hello; a peer with another chain id or genesis is disconnected.
    public var chainId: UInt64
    public var genesisHash: Hash32
    public var limits: NetworkLimits
    /// Where the one-line peer events go. Default: standard error.
    public var log: @Sendable (String) -> Void
    /// Time for timeouts, keep-alives and backoff: the monotonic clock; tests pass a manual one.
    public var clock: any NetworkClock

    public init(nodeKey: Secp256k1.PrivateKey,
                listenHost: String = "127.0.0.1",
                listenPort: UInt16,
                peers: [NodeAddress] = [],
                isAllowed: @escaping @Sendable (PeerID) -> Bool,
                isValidator: @escaping @Sendable (PeerID) -> Bool = { _ in false },
                chainId: UInt64,
                genesisHash: Hash32,
                limits: NetworkLimits = .default,
                log: @escaping @Sendable (String) -> Void = NetworkConfig.logToStandardError,
                clock: any NetworkClock = .monotonic) {
        self.nodeKey = nodeKey
        self.listenHost = listenHost
        self.listenPort = listenPort
        self.peers = peers
        self.isAllowed = isAllowed
        self.isValidator = isValidator
        self.chainId = chainId
        self.genesisHash = genesisHash
        self.limits = limits
        self.log = log
        self.clock = clock
    }

    public static let logToStandardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Called from network threads (a connection's read loop, a dialer); the node hops to its own
/// queues. Calls for one peer come from one thread at a time, in the order the messages
/// arrived; calls for different peers may be concurrent.
public protocol NetworkDelegate: AnyObject, Sendable {
    /// The peer's hello arrived and matched (chain id, genesis); `height` is the one it reported.
    func network(_ network: Network, peerConnected peer: PeerID, height: UInt64)
    /// A peer reported as connected is gone (closed, replaced, misbehaved, stopped).
    func network(_ network: Network, peerDisconnected peer: PeerID)
    func network(_ network: Network, didReceiveTransactions raws: [[UInt8]], from peer: PeerID)
    func network(_ network: Network, didReceiveConsensus payload: [UInt8], from peer: PeerID)
    func network(_ network: Network, peer: PeerID, reportedHeight height: UInt64)
    /// Serve block sync: encoded (block, certificate) pairs from `height` on, at most `count`.
    func network(_ network: Network, blocksFrom height: UInt64, count: Int) -> [[UInt8]]
    /// A `blocks` response (possibly empty: the peer has nothing from the height asked).
    func network(_ network: Network, didReceiveBlocks payloads: [[UInt8]], from peer: PeerID)
    /// The peer announced transactions of its pool by hash (on connect); the node asks for the
    /// ones it lacks with `requestPoolTransactions`.
    func network(_ network: Network, peer: PeerID, announcedPool hashes: [Hash32])
    /// Serve a pool request: the raw transactions of those hashes still pooled, in that order.
    func network(_ network: Network, pooledTransactions hashes: [Hash32]) -> [[UInt8]]
    /// Serve state sync: the answer to a `stateRequest` (NetworkDelegate+StateSync.swift).
    func network(_ network: Network, stateRequest items: [[UInt8]], from peer: PeerID) -> [[UInt8]]
    func network(_ network: Network, didReceiveStateResponse items: [[UInt8]], from peer: PeerID)
}

extension NetworkDelegate {
    /// A node without a pool ignores announcements ...
    public func network(_ network: Network, peer: PeerID, announcedPool hashes: [Hash32]) {}
    /// ... and has nothing to serve.
    public func network(_ network: Network, pooledTransactions hashes: [Hash32]) -> [[UInt8]] { [] }
}
