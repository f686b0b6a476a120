import Foundation
import QuorateCore
import QuorateCrypto
import Synchronization
import Testing
@testable import QuorateP2P

/// Polls `condition` until it holds, for at most `testTimeout` seconds (an upper bound for a
/// broken implementation, never a statement about speed). Records an issue if it never holds.
@discardableResult
func eventually(_ what: String, _ condition: () -> Bool) -> Bool {
    let deadline = DispatchTime.now() + testTimeout
    while !condition() {
        if DispatchTime.now() > deadline {
            Issue.record("timed out after \(testTimeout) s waiting for: \(what)")
            return false
        }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return true
}

/// The log lines of one network, as an operator would read them on stderr.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    let echo: Bool

    init(echo: Bool = ProcessInfo.processInfo.environment["P2P_TEST_LOG"] != nil) { self.echo = echo }

    func append(_ line: String) {
        lines.withLock { $0.append(line) }
        if echo { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    var all: [String] { lines.withLock { $0 } }

    func contains(_ fragments: String...) -> Bool {
        all.contains { line in fragments.allSatisfy { line.contains($0) } }
    }

    func count(_ fragments: String...) -> Int {
        all.count { line in fragments.allSatisfy { line.contains($0) } }
    }
}

/// Records everything a `Network` tells its node.
final class Recorder: NetworkDelegate {
    struct Events {
        var connected: [PeerID] = []
        var disconnected: [PeerID] = []
        var transactions: [(PeerID, [[UInt8]])] = []
        var consensus: [(PeerID, [UInt8])] = []
        var heights: [(PeerID, UInt64)] = []
        var blockRequests: [(UInt64, Int)] = []
        var blocks: [(PeerID, [[UInt8]])] = []
        var poolAnnouncements: [(PeerID, [Hash32])] = []
        var poolRequests: [[Hash32]] = []
    }

    let events = Mutex(Events())
    /// The chain this node serves: block `h` is `block(h)`, heights 0...head.
    let head: UInt64

    /// This node's pool (hash = keccak of the raw bytes), announced to every peer that connects,
    /// as the node does; announcements are answered with a request for what it lacks.
    let pool: Mutex<[[UInt8]]>

    init(head: UInt64 = 0, pool: [[UInt8]] = []) {
        self.head = head
        self.pool = Mutex(pool)
    }

    static func block(_ height: UInt64) -> [UInt8] { Array("block \(height)".utf8) + pattern(Int(height % 50)) }

    func network(_ network: Network, peerConnected peer: PeerID, height: UInt64) {
        events.withLock { $0.connected.append(peer) }
        network.announcePool(pool.withLock { $0 }.map { Hash32.keccak($0) }, to: peer)
    }

    func network(_ network: Network, peer: PeerID, announcedPool hashes: [Hash32]) {
        events.withLock { $0.poolAnnouncements.append((peer, hashes)) }
        let known = Set(pool.withLock { $0 }.map { Hash32.keccak($0) })
        network.requestPoolTransactions(hashes.filter { !known.contains($0) }, from: peer)
    }

    func network(_ network: Network, pooledTransactions hashes: [Hash32]) -> [[UInt8]] {
        events.withLock { $0.poolRequests.append(hashes) }
        let byHash = Dictionary(pool.withLock { $0 }.map { (Hash32.keccak($0), $0) }, uniquingKeysWith: { a, _ in a })
        return hashes.compactMap { byHash[$0] }
    }

    func network(_ network: Network, peerDisconnected peer: PeerID) {
        events.withLock { $0.disconnected.append(peer) }
    }

    func network(_ network: Network, didReceiveTransactions raws: [[UInt8]], from peer: PeerID) {
        events.withLock { $0.transactions.append((peer, raws)) }
    }

    func network(_ network: Network, didReceiveConsensus payload: [UInt8], from peer: PeerID) {
        events.withLock { $0.consensus.append((peer, payload)) }
    }

    func network(_ network: Network, peer: PeerID, reportedHeight height: UInt64) {
        events.withLock { $0.heights.append((peer, height)) }
    }

    func network(_ network: Network, blocksFrom height: UInt64, count: Int) -> [[UInt8]] {
        events.withLock { $0.blockRequests.append((height, count)) }
        guard height <= head else { return [] }
        return (height...min(head, height + UInt64(count) - 1)).map(Self.block)
    }

    func network(_ network: Network, didReceiveBlocks payloads: [[UInt8]], from peer: PeerID) {
        events.withLock { $0.blocks.append((peer, payloads)) }
    }

    var snapshot: Events { events.withLock { $0 } }

    func consensus(from peer: PeerID) -> [[UInt8]] { snapshot.consensus.filter { $0.0 == peer }.map(\.1) }
    var allConsensus: [[UInt8]] { snapshot.consensus.map(\.1) }
    var allTransactions: [[UInt8]] { snapshot.transactions.flatMap(\.1) }
}

let testGenesis = Hash32.keccak(Array("quorate p2p tests".utf8))

/// One node of a test network on 127.0.0.1: a key, a `Network`, its delegate and its log.
final class TestPeer: Sendable {
    let key: Secp256k1.PrivateKey
    let network: Network
    let recorder: Recorder
    let logs: LogLines

    init(key: Secp256k1.PrivateKey = .generate(), port: UInt16 = 0, peers: [NodeAddress] = [],
         allowed: AllowList, chainId: UInt64 = 1337, genesis: Hash32 = testGenesis,
         limits: NetworkLimits = .default, head: UInt64 = 0, pool: [[UInt8]] = [], start: Bool = true,
         clock: any NetworkClock = .monotonic) throws {
        self.key = key
        let logs = LogLines()
        self.logs = logs
        recorder = Recorder(head: head, pool: pool)
        let config = NetworkConfig(nodeKey: key, listenHost: "127.0.0.1", listenPort: port, peers: peers,
                                   isAllowed: { allowed.contains($0) }, chainId: chainId, genesisHash: genesis,
                                   limits: limits, log: { logs.append($0) }, clock: clock)
        network = Network(config: config, delegate: recorder)
        if start { try network.start() }
    }

    var id: PeerID { key.publicKey }
    var port: UInt16 { network.boundPort! }
    var address: NodeAddress { NodeAddress(publicKey: id, host: "127.0.0.1", port: port) }

    func isConnected(to others: TestPeer...) -> Bool {
        Set(network.connectedPeers) == Set(others.map(\.id))
    }

    func stop() { network.stop() }
}

func sortedKeys(_ keys: [PeerID]) -> [PeerID] {
    keys.sorted { $0.compressed.lexicographicallyPrecedes($1.compressed) }
}

/// A client that speaks the protocol by hand over a real BOLT 8 connection, to send what a
/// correct node never would.
struct HandPeer {
    let key: Secp256k1.PrivateKey
    let connection: PeerConnection

    static func connect(to peer: TestPeer, key: Secp256k1.PrivateKey, limits: PeerLimits = .default) throws -> HandPeer {
        HandPeer(key: key, connection: try PeerConnection.connect(to: peer.address, localKey: key, limits: limits))
    }

    func sendHello(chainId: UInt64 = 1337, genesis: Hash32 = testGenesis, height: UInt64 = 0) throws {
        try send(.hello(Hello(version: WireMessage.protocolVersion, chainId: chainId, genesisHash: genesis, height: height)))
    }

    func send(_ message: WireMessage) throws { try connection.send(message.encoded()) }

    /// The next message, decoded (fails the test on a decoding error).
    func receive() throws -> WireMessage? {
        guard let bytes = receivedMessage(connection) else { return nil }
        return try WireMessage.decode(bytes, limits: .init(maxTransactions: 1000, maxBlocks: 64))
    }

    /// True once the other side has closed the connection (within `testTimeout`).
    func seesClose() -> Bool {
        let deadline = DispatchTime.now() + testTimeout
        while DispatchTime.now() < deadline {
            switch QuorateP2PTests.receive(connection) {
            case .success: continue
            case .failure: return true
            }
        }
        return false
    }
}
