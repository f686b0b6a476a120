import Foundation
import QuorateCore
import QuorateCrypto
import Testing
@testable import QuorateP2P

/// Networks on 127.0.0.1. Waits are upper bounds for a broken implementation (`eventually`);
/// no test asserts on elapsed time.
@Suite struct NetworkTests {
    /// A, B, C allowing each other; B dials A, C dials A and B.
    static func triangle(limits: NetworkLimits = .default) throws -> (TestPeer, TestPeer, TestPeer) {
        let keys = (0..<3).map { _ in Secp256k1.PrivateKey.generate() }
        let allowed = AllowList(keys.map(\.publicKey))
        let a = try TestPeer(key: keys[0], allowed: allowed, limits: limits)
        let b = try TestPeer(key: keys[1], peers: [a.address], allowed: allowed, limits: limits)
        let c = try TestPeer(key: keys[2], peers: [a.address, b.address], allowed: allowed, limits: limits)
        return (a, b, c)
    }

    @Test("a transaction broadcast with a peer filter reaches only the peers the filter names")
    func filteredTransactionBroadcast() throws {
        let (a, b, c) = try Self.triangle()
        defer { [a, b, c].forEach { $0.stop() } }
        eventually("the triangle is connected") { a.isConnected(to: b, c) }
        let txs = (0..<10).map { pattern(100, seed: UInt8($0)) }
        a.network.broadcastTransactions(txs, except: nil) { $0 == b.id }
        // A marker after them on the same connections: once it is in, the transactions would be too.
        a.network.broadcastConsensus(Array("marker".utf8), except: nil)
        for peer in [b, c] {
            eventually("the marker reaches \(peer.id)") { peer.recorder.allConsensus.contains(Array("marker".utf8)) }
        }
        #expect(b.recorder.allTransactions == txs)
        #expect(c.recorder.allTransactions.isEmpty)
    }

    @Test("three networks in a triangle: every broadcast reaches every other node exactly once, `except` is honoured")
    func triangleGossip() throws {
        let (a, b, c) = try Self.triangle()
        defer { [a, b, c].forEach { $0.stop() } }
        eventually("the triangle is connected") {
            a.isConnected(to: b, c) && b.isConnected(to: a, c) && c.isConnected(to: a, b)
        }
        #expect(a.network.connectedPeers == sortedKeys([b.id, c.id]))
        #expect(Set(a.recorder.snapshot.connected) == [b.id, c.id])

        // Transactions from A reach B and C once each. A marker sent after them on the same
        // connections arrives after any duplicate could have, so its arrival settles "once".
        let txs = (0..<2500).map { pattern(20 + $0 % 300, seed: UInt8($0 & 0xff)) }
        a.network.broadcastTransactions(txs, except: nil)
        a.network.broadcastConsensus(Array("marker A".utf8), except: nil)
        for peer in [b, c] {
            eventually("the marker reaches \(peer.id)") { peer.recorder.allConsensus.contains(Array("marker A".utf8)) }
            #expect(peer.recorder.allTransactions == txs, "all 2500 transactions in order, once")
            // 2500 transactions go out as messages of at most maxTransactionsPerMessage.
            #expect(peer.recorder.snapshot.transactions.map(\.1.count) == [1000, 1000, 500])
        }
        #expect(a.recorder.allTransactions.isEmpty, "a broadcast does not come back to its sender")

        // B broadcasts a vote except to C: A gets it, C does not. B then sends C a direct
        // message; once that arrived, the broadcast would have too.
        let vote = Array("vote from B".utf8)
        b.network.broadcastConsensus(vote, except: c.id)
        b.network.sendConsensus(Array("direct B->C".utf8), to: c.id)
        eventually("the direct message reaches C") { c.recorder.consensus(from: b.id).contains(Array("direct B->C".utf8)) }
        eventually("the vote reaches A") { a.recorder.consensus(from: b.id) == [vote] }
        #expect(c.recorder.consensus(from: b.id) == [Array("direct B->C".utf8)])
        #expect(b.recorder.consensus(from: c.id).isEmpty && b.recorder.consensus(from: a.id) == [Array("marker A".utf8)])

        // Heights: announceHeight reaches everyone and shows in peerHeights.
        c.network.announceHeight(42)
        for peer in [a, b] {
            eventually("C's height reaches \(peer.id)") { peer.network.peerHeights().contains { $0.0 == c.id && $0.1 == 42 } }
            #expect(peer.recorder.snapshot.heights.contains { $0.0 == c.id && $0.1 == 42 })
        }
        #expect(a.network.peerHeights().map(\.0) == sortedKeys([b.id, c.id]))
        for peer in [a, b, c] { #expect(peer.logs.count("p2p: connected") == 2) }
    }

    @Test("both sides dialing each other end with exactly one connection, and messages pass once",
          arguments: 0..<3)
    func simultaneousDial(round: Int) throws {
        let keys = (0..<2).map { _ in Secp256k1.PrivateKey.generate() }
        let (a, b) = try peersDialingEachOther(keys)
        defer { a.stop(); b.stop() }
        eventually("A and B are connected") { a.isConnected(to: b) && b.isConnected(to: a) }
        for i in 0..<10 {
            a.network.sendConsensus([0xA, UInt8(i)], to: b.id)
            b.network.sendConsensus([0xB, UInt8(i)], to: a.id)
        }
        // A message can be lost while a duplicate connection is being replaced (a gossip
        // network tolerates that); once settled, every message arrives exactly once.
        eventually("the connection settles") {
            a.network.sendConsensus([0xAA], to: b.id)
            b.network.sendConsensus([0xBB], to: a.id)
            return b.recorder.consensus(from: a.id).contains([0xAA]) && a.recorder.consensus(from: b.id).contains([0xBB])
        }
        a.network.sendConsensus([0xA, 0xFF], to: b.id)
        eventually("the last message arrives") { b.recorder.consensus(from: a.id).last == [0xA, 0xFF] }
        #expect(b.recorder.consensus(from: a.id).filter { $0 == [0xA, 0xFF] }.count == 1)
        #expect(a.network.connectedPeers == [b.id] && b.network.connectedPeers == [a.id])
        // Connected/disconnected notifications alternate, ending connected.
        for (peer, other) in [(a, b), (b, a)] {
            let events = peer.recorder.snapshot
            #expect(events.connected.count == events.disconnected.count + 1)
            #expect(Set(events.connected) == [other.id])
        }
    }

    @Test("a hello with another chain id or genesis hash disconnects, with the reason in the log",
          arguments: ["chain id", "genesis hash"])
    func helloMismatch(field: String) throws {
        let keys = (0..<2).map { _ in Secp256k1.PrivateKey.generate() }
        let allowed = AllowList(keys.map(\.publicKey))
        let a = try TestPeer(key: keys[0], allowed: allowed)
        let b = try TestPeer(key: keys[1], peers: [a.address], allowed: allowed,
                             chainId: field == "chain id" ? 99 : 1337,
                             genesis: field == "genesis hash" ? Hash32.keccak([1]) : testGenesis)
        defer { a.stop(); b.stop() }
        eventually("A logs the mismatch") { a.logs.contains("p2p: disconnected \(b.id)", "peer's \(field)", "differs from ours") }
        eventually("B logs the mismatch") { b.logs.contains("p2p: disconnected \(a.id)", "peer's \(field)", "differs from ours") }
        #expect(a.network.connectedPeers.isEmpty && b.network.connectedPeers.isEmpty)
        #expect(a.recorder.snapshot.connected.isEmpty && b.recorder.snapshot.connected.isEmpty)
        #expect(!a.logs.contains("holding off"), "a mismatch is a misconfiguration, not misbehaviour")
    }

    @Test("a key outside the allowlist is refused and logged; the allowed nodes go on")
    func notAllowlisted() throws {
        let keys = (0..<2).map { _ in Secp256k1.PrivateKey.generate() }
        let allowed = AllowList(keys.map(\.publicKey))
        let a = try TestPeer(key: keys[0], allowed: allowed)
        let b = try TestPeer(key: keys[1], peers: [a.address], allowed: allowed)
        // The stranger allows everyone and dials both.
        let everyone = AllowList(keys.map(\.publicKey))
        let strangerKey = Secp256k1.PrivateKey.generate()
        everyone.insert(strangerKey.publicKey)
        let stranger = try TestPeer(key: strangerKey, peers: [a.address, b.address], allowed: everyone)
        defer { [a, b, stranger].forEach { $0.stop() } }

        for node in [a, b] {
            eventually("\(node.id) logs the refusal") {
                node.logs.contains("p2p: refused \(stranger.id) from 127.0.0.1:", ": not in the allowlist")
            }
        }
        eventually("A and B are connected") { a.isConnected(to: b) && b.isConnected(to: a) }
        a.network.broadcastConsensus(Array("still working".utf8), except: nil)
        eventually("B receives A's message") { b.recorder.consensus(from: a.id) == [Array("still working".utf8)] }
        #expect(stranger.network.connectedPeers.isEmpty)
        #expect(stranger.recorder.snapshot.connected.isEmpty && stranger.recorder.allConsensus.isEmpty)
        #expect(!a.recorder.snapshot.connected.contains(stranger.id))
        // A node does not dial a configured peer that its allowlist refuses, either.
        let lonely = try TestPeer(peers: [a.address], allowed: AllowList([]))
        defer { lonely.stop() }
        eventually("the refused dial is logged") { lonely.logs.contains("p2p: not dialing \(a.id)", "not in the allowlist") }
    }

    @Test("block request and response round trip through the delegates; counts are clamped to maxBlocksPerResponse")
    func blockSync() throws {
        let keys = (0..<2).map { _ in Secp256k1.PrivateKey.generate() }
        let allowed = AllowList(keys.map(\.publicKey))
        let server = try TestPeer(key: keys[0], allowed: allowed, head: 200)
        let client = try TestPeer(key: keys[1], peers: [server.address], allowed: allowed)
        defer { server.stop(); client.stop() }
        eventually("connected") { client.isConnected(to: server) }

        client.network.requestBlocks(from: server.id, startHeight: 5, count: 3)
        eventually("3 blocks arrive") { client.recorder.snapshot.blocks.count == 1 }
        #expect(client.recorder.snapshot.blocks.first?.0 == server.id)
        #expect(client.recorder.snapshot.blocks.first?.1 == (5...7).map(Recorder.block))

        client.network.requestBlocks(from: server.id, startHeight: 100, count: 1000)
        eventually("a second response") { client.recorder.snapshot.blocks.count == 2 }
        #expect(client.recorder.snapshot.blocks[1].1 == (100..<164).map(Recorder.block))

        // Past the server's head: an empty response, so the client can ask elsewhere.
        client.network.requestBlocks(from: server.id, startHeight: 500, count: 10)
        eventually("a third response") { client.recorder.snapshot.blocks.count == 3 }
        #expect(client.recorder.snapshot.blocks[2].1.isEmpty)
        #expect(server.recorder.snapshot.blockRequests.map(\.0) == [5, 100, 500])
        #expect(server.recorder.snapshot.blockRequests.map(\.1) == [3, 64, 10])

        // A peer that is not connected: nothing is sent, nothing breaks.
        client.network.requestBlocks(from: Secp256k1.PrivateKey.generate().publicKey, startHeight: 0, count: 1)
    }

    @Test("a peer above the message rate is disconnected, held off and refused while held off")
    func rateLimit() throws {
        let keys = (0..<2).map { _ in Secp256k1.PrivateKey.generate() }
        let allowed = AllowList(keys.map(\.publicKey))
        let strict = NetworkLimits(messagesPerSecond: 5, messageBurst: 20)
        let a = try TestPeer(key: keys[0], allowed: allowed, limits: strict)
        let b = try TestPeer(key: keys[1], peers: [a.address], allowed: allowed)
        defer { a.stop(); b.stop() }
        eventually("connected") { a.isConnected(to: b) && b.isConnected(to: a) }
        for i in 0..<200 { b.network.sendConsensus([UInt8(i)], to: a.id) }
        eventually("A holds B off") { a.logs.contains("p2p: holding off \(b.id) for 60 s", "NetworkLimits.messagesPerSecond") }
        eventually("A logs the disconnect") { a.logs.contains("p2p: disconnected \(b.id)", "misbehaviour") }
        eventually("B's reconnect is refused while held off") {
            a.logs.contains("p2p: refused \(b.id) from 127.0.0.1:", "held off for another")
        }
        #expect(a.recorder.consensus(from: b.id).count < 200)
        #expect(!a.network.connectedPeers.contains(b.id))
        #expect(a.recorder.snapshot.disconnected == [b.id])
    }

    @Test("an honest burst of 4,000 consensus messages is within the default limits: all arrive, no hold-off")
    func honestBurstWithinDefaults() throws {
        // Regression: the first defaults (500/s, burst 2,000) held honest validators off each
        // other under load (docs/network.md). A burst is sent as fast as it goes: no timing.
        let keys = (0..<2).map { _ in Secp256k1.PrivateKey.generate() }
        let allowed = AllowList(keys.map(\.publicKey))
        let a = try TestPeer(key: keys[0], allowed: allowed)
        let b = try TestPeer(key: keys[1], peers: [a.address], allowed: allowed)
        defer { a.stop(); b.stop() }
        eventually("connected") { a.isConnected(to: b) && b.isConnected(to: a) }
        let burst = 4_000
        for i in 0..<burst { b.network.sendConsensus([UInt8(truncatingIfNeeded: i), UInt8(truncatingIfNeeded: i >> 8)], to: a.id) }
        eventually("every message arrives") { a.recorder.consensus(from: b.id).count == burst }
        #expect(!a.logs.contains("p2p: holding off"))
        #expect(a.network.connectedPeers.contains(b.id))
    }

    @Test("garbage, unknown tags, oversized counts and frames, messages before hello: disconnect and hold-off",
          arguments: ["unknown tag", "transactions count above the limit", "list count beyond the bytes",
                      "truncated status", "trailing bytes", "oversized frame", "message before hello", "second hello"])
    func misbehaviour(kind: String) throws {
        let nodeKey = Secp256k1.PrivateKey.generate(), badKey = Secp256k1.PrivateKey.generate(),
            goodKey = Secp256k1.PrivateKey.generate()
        let allowed = AllowList([nodeKey.publicKey, badKey.publicKey, goodKey.publicKey])
        let limits = NetworkLimits(peer: PeerLimits(maxMessageBytes: 1 << 20))
        let node = try TestPeer(key: nodeKey, allowed: allowed, limits: limits)
        defer { node.stop() }

        let bad = try HandPeer.connect(to: node, key: badKey)
        #expect(try bad.receive().map { if case .hello = $0 { true } else { false } } == true, "the node says hello first")
        if kind != "message before hello" { try bad.sendHello() }
        switch kind {
        case "unknown tag": try bad.connection.send([0x7F, 1, 2, 3])
        case "transactions count above the limit": try bad.connection.send([0x02, 0, 0, 0x03, 0xE9] + [UInt8](repeating: 0, count: 1001 * 4))
        case "list count beyond the bytes": try bad.connection.send([0x06, 0x7F, 0xFF, 0xFF, 0xFF])
        case "truncated status": try bad.connection.send([0x04, 0, 0, 0])
        case "trailing bytes": try bad.connection.send(WireMessage.status(height: 1).encoded() + [0])
        case "oversized frame": try bad.connection.send(pattern(2 << 20))   // 2 MiB, node accepts 1 MiB
        case "message before hello": try bad.send(.consensus([1, 2, 3]))
        case "second hello": try bad.sendHello()
        default: Issue.record("unknown case \(kind)")
        }
        #expect(bad.seesClose(), "the node closes the connection")
        eventually("the node holds the key off") { node.logs.contains("p2p: holding off \(badKey.publicKey) for 60 s") }
        #expect(node.recorder.allConsensus.isEmpty)

        // Held off: the same key is dropped right after the handshake.
        let again = try HandPeer.connect(to: node, key: badKey)
        #expect(again.seesClose())
        eventually("the refusal names the hold-off") {
            node.logs.contains("p2p: refused \(badKey.publicKey)", "held off for another")
        }

        // Others are still served.
        let good = try HandPeer.connect(to: node, key: goodKey)
        try good.sendHello()
        eventually("the good peer is connected") { node.network.connectedPeers == [goodKey.publicKey] }
        try good.send(.consensus([9]))
        eventually("its message arrives") { node.recorder.consensus(from: goodKey.publicKey) == [[9]] }
    }

    @Test("random bytes instead of a handshake are rejected and logged; the node goes on")
    func garbageHandshake() throws {
        let nodeKey = Secp256k1.PrivateKey.generate(), goodKey = Secp256k1.PrivateKey.generate()
        let node = try TestPeer(key: nodeKey, allowed: AllowList([goodKey.publicKey]))
        defer { node.stop() }
        let raw = try RawPeer.connect(port: node.port)
        try raw.write(SecureRandom.bytes(500))
        #expect(raw.seesClose())
        eventually("the rejection is logged") { node.logs.contains("p2p: rejected inbound connection from 127.0.0.1:", "(misbehaviour)") }
        let good = try HandPeer.connect(to: node, key: goodKey)
        try good.sendHello()
        eventually("the good peer is connected") { node.network.connectedPeers == [goodKey.publicKey] }
    }

    @Test("reportMisbehaviour disconnects and holds off; after the hold-off the peer reconnects")
    func reportedMisbehaviour() throws {
        let keys = (0..<2).map { _ in Secp256k1.PrivateKey.generate() }
        let allowed = AllowList(keys.map(\.publicKey))
        let a = try TestPeer(key: keys[0], allowed: allowed, limits: NetworkLimits(misbehaviourHoldOff: .seconds(1)))
        let b = try TestPeer(key: keys[1], peers: [a.address], allowed: allowed)
        defer { a.stop(); b.stop() }
        eventually("connected") { a.isConnected(to: b) }
        a.network.reportMisbehaviour(b.id, reason: "invalid block 7")
        eventually("disconnect logged") { a.logs.contains("p2p: disconnected \(b.id)", "misbehaviour reported by the node: invalid block 7") }
        #expect(a.logs.contains("p2p: holding off \(b.id) for 1 s: invalid block 7"))
        // Polled: on a loaded machine a later disconnect (a silence timeout) may follow this one
        // before the poll sees the list, so the check is on the first event, not the whole list.
        eventually("B notices") { b.recorder.snapshot.disconnected.first == a.id }
        // After the hold-off B's dialer gets back in.
        eventually("B reconnects after the hold-off") { a.recorder.snapshot.connected.count >= 2 && a.isConnected(to: b) }
        #expect(a.recorder.snapshot.disconnected.first == b.id)
    }

    @Test("after a peer restarts (stop, a new Network with the same key and port) the connection comes back",
          arguments: ["the restarted node dials", "the other node dials"])
    func reconnectAfterRestart(who: String) throws {
        let keys = (0..<2).map { _ in Secp256k1.PrivateKey.generate() }
        let allowed = AllowList(keys.map(\.publicKey))
        let restartedDials = who == "the restarted node dials"
        let stablePort = try freePort(), restartingPort = try freePort()
        let stableAddress = NodeAddress(publicKey: keys[0].publicKey, host: "127.0.0.1", port: stablePort)
        let restartingAddress = NodeAddress(publicKey: keys[1].publicKey, host: "127.0.0.1", port: restartingPort)
        let stable = try TestPeer(key: keys[0], port: stablePort, peers: restartedDials ? [] : [restartingAddress], allowed: allowed)
        defer { stable.stop() }
        var restarting = try TestPeer(key: keys[1], port: restartingPort, peers: restartedDials ? [stableAddress] : [], allowed: allowed)
        eventually("connected") { stable.isConnected(to: restarting) }
        restarting.stop()
        eventually("the stable node notices") { stable.recorder.snapshot.disconnected == [keys[1].publicKey] }

        restarting = try TestPeer(key: keys[1], port: restartingPort, peers: restartedDials ? [stableAddress] : [], allowed: allowed)
        defer { restarting.stop() }
        eventually("reconnected") { stable.isConnected(to: restarting) && restarting.isConnected(to: stable) }
        stable.network.broadcastConsensus([1, 2, 3], except: nil)
        eventually("a message crosses the new connection") { restarting.recorder.consensus(from: stable.id) == [[1, 2, 3]] }
        #expect(stable.recorder.snapshot.connected == [keys[1].publicKey, keys[1].publicKey])
    }

    @Test("stop closes every session, the delegate hears of it, and nothing is delivered afterwards")
    func stopIsClean() throws {
        let (a, b, c) = try Self.triangle()
        defer { [b, c].forEach { $0.stop() } }
        eventually("the triangle is connected") { a.isConnected(to: b, c) && b.isConnected(to: a, c) && c.isConnected(to: a, b) }
        a.stop()
        #expect(a.network.connectedPeers.isEmpty)
        #expect(Set(a.recorder.snapshot.disconnected) == [b.id, c.id], "stop waits for the sessions to end and report")
        eventually("B and C notice") { b.isConnected(to: c) && c.isConnected(to: b) }
        let before = a.recorder.snapshot.consensus.count
        b.network.broadcastConsensus([7], except: nil)
        eventually("C receives") { c.recorder.consensus(from: b.id) == [[7]] }
        #expect(a.recorder.snapshot.consensus.count == before)
        #expect(a.logs.contains("p2p: stopped"))
        a.stop()   // idempotent
    }
}

/// A port that was free a moment ago (bound, read, released), for tests that must know ports
/// before starting.
/// Two peers that allow each other and both dial the other at start (a simultaneous dial).
/// Both ports are chosen first, so each can be configured with the other's.
func peersDialingEachOther(_ keys: [Secp256k1.PrivateKey]) throws -> (TestPeer, TestPeer) {
    let allowed = AllowList(keys.map(\.publicKey))
    let portA = try freePort(), portB = try freePort()
    let a = try TestPeer(key: keys[0], port: portA,
                         peers: [NodeAddress(publicKey: keys[1].publicKey, host: "127.0.0.1", port: portB)], allowed: allowed)
    let b = try TestPeer(key: keys[1], port: portB,
                         peers: [NodeAddress(publicKey: keys[0].publicKey, host: "127.0.0.1", port: portA)], allowed: allowed)
    return (a, b)
}

func freePort() throws -> UInt16 {
    let socket = try Socket.listen(host: "127.0.0.1", port: 0)
    let port = socket.localPort
    socket.shutdown()
    return port
}
