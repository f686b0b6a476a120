import Foundation
import QuorateCore
import QuorateCrypto
import Testing
@testable import QuorateP2P

/// Session housekeeping: timeouts, keep-alives, peer limits, allowlist changes.
@Suite struct NetworkSessionTests {
    @Test("a peer that never says hello is closed after NetworkLimits.helloTimeout, without a hold-off")
    func helloTimeout() throws {
        let nodeKey = Secp256k1.PrivateKey.generate(), silentKey = Secp256k1.PrivateKey.generate()
        let node = try TestPeer(key: nodeKey, allowed: AllowList([silentKey.publicKey]),
                                limits: NetworkLimits(helloTimeout: .milliseconds(300)))
        defer { node.stop() }
        let silent = try HandPeer.connect(to: node, key: silentKey)
        #expect(silent.seesClose())
        eventually("the timeout is logged") {
            node.logs.contains("p2p: disconnected \(silentKey.publicKey)", "no hello within", "NetworkLimits.helloTimeout")
        }
        #expect(!node.logs.contains("holding off"))
        #expect(node.recorder.snapshot.connected.isEmpty && node.recorder.snapshot.disconnected.isEmpty)
    }

    @Test("keep-alives hold an idle session open; a peer that goes silent is closed after NetworkLimits.idleTimeout")
    func keepAliveAndIdle() throws {
        let keys = (0..<3).map { _ in Secp256k1.PrivateKey.generate() }
        let allowed = AllowList(keys.map(\.publicKey))
        let limits = NetworkLimits(keepAliveInterval: .milliseconds(100), idleTimeout: .milliseconds(600))
        let a = try TestPeer(key: keys[0], allowed: allowed, limits: limits)
        let b = try TestPeer(key: keys[1], peers: [a.address], allowed: allowed, limits: limits)
        defer { a.stop(); b.stop() }
        eventually("connected") { a.isConnected(to: b) && b.isConnected(to: a) }

        // A hand-driven peer that says hello and then nothing: closed as idle. Meanwhile the
        // two real nodes, sending nothing themselves, keep each other alive with status messages.
        let silent = try HandPeer.connect(to: a, key: keys[2])
        try silent.sendHello()
        eventually("A connects the silent peer") { a.network.connectedPeers.contains(keys[2].publicKey) }
        #expect(silent.seesClose())
        eventually("the idle close is logged") {
            a.logs.contains("p2p: disconnected \(keys[2].publicKey)", "NetworkLimits.idleTimeout")
        }
        #expect(a.recorder.snapshot.disconnected == [keys[2].publicKey])
        #expect(a.isConnected(to: b) && b.isConnected(to: a), "keep-alives kept A and B connected")
        #expect(!a.logs.contains("p2p: disconnected \(b.id)") && !b.logs.contains("p2p: disconnected \(a.id)"))
        #expect(a.recorder.snapshot.heights.contains { $0.0 == b.id }, "keep-alives are status messages")
    }

    @Test("recheckAllowlist closes a session whose key left the allowlist; the key is then refused")
    func allowlistChange() throws {
        let keys = (0..<2).map { _ in Secp256k1.PrivateKey.generate() }
        let aAllows = AllowList(keys.map(\.publicKey))
        let a = try TestPeer(key: keys[0], allowed: aAllows)
        let b = try TestPeer(key: keys[1], peers: [a.address], allowed: AllowList(keys.map(\.publicKey)))
        defer { a.stop(); b.stop() }
        eventually("connected") { a.isConnected(to: b) }
        aAllows.remove(keys[1].publicKey)
        a.network.recheckAllowlist()
        eventually("the close is logged") { a.logs.contains("p2p: disconnected \(b.id)", "no longer in the allowlist") }
        eventually("the reconnect is refused") { a.logs.contains("p2p: refused \(b.id)", "not in the allowlist") }
        #expect(a.recorder.snapshot.disconnected == [b.id])
        #expect(!a.logs.contains("holding off"))
    }

    @Test("inbound peers beyond NetworkLimits.maxPeers are refused; the connected ones stay")
    func maxPeers() throws {
        let keys = (0..<3).map { _ in Secp256k1.PrivateKey.generate() }
        let allowed = AllowList(keys.map(\.publicKey))
        let a = try TestPeer(key: keys[0], allowed: allowed, limits: NetworkLimits(maxPeers: 1))
        let first = try HandPeer.connect(to: a, key: keys[1])
        defer { a.stop() }
        try first.sendHello()
        eventually("the first peer is connected") { a.network.connectedPeers == [keys[1].publicKey] }
        let second = try HandPeer.connect(to: a, key: keys[2])
        #expect(second.seesClose())
        eventually("the refusal is logged") { a.logs.contains("p2p: refused \(keys[2].publicKey)", "NetworkLimits.maxPeers") }
        #expect(a.network.connectedPeers == [keys[1].publicKey])
    }

    @Test("a node dialing with our own key is refused")
    func ownKey() throws {
        let key = Secp256k1.PrivateKey.generate()
        let a = try TestPeer(key: key, allowed: AllowList([key.publicKey]))
        defer { a.stop() }
        let twin = try HandPeer.connect(to: a, key: key)
        #expect(twin.seesClose())
        eventually("the refusal is logged") { a.logs.contains("p2p: refused \(key.publicKey)", "our own node key") }
    }

    @Test("messages too large to send are dropped and logged, the session stays")
    func oversizedSend() throws {
        let keys = (0..<2).map { _ in Secp256k1.PrivateKey.generate() }
        let allowed = AllowList(keys.map(\.publicKey))
        let limits = NetworkLimits(peer: PeerLimits(maxMessageBytes: 64 * 1024))
        let a = try TestPeer(key: keys[0], allowed: allowed, limits: limits)
        let b = try TestPeer(key: keys[1], peers: [a.address], allowed: allowed, limits: limits)
        defer { a.stop(); b.stop() }
        eventually("connected") { a.isConnected(to: b) && b.isConnected(to: a) }
        a.network.broadcastConsensus(pattern(100 * 1024), except: nil)
        #expect(a.logs.contains("p2p: dropped a consensus message to \(b.id)", "PeerLimits.maxMessageBytes"))
        // Transactions are split to fit; a single one too large for any message is dropped.
        a.network.broadcastTransactions([pattern(40 * 1024), pattern(40 * 1024, seed: 1), pattern(70 * 1024)], except: nil)
        eventually("the two that fit arrive") { b.recorder.allTransactions.count == 2 }
        #expect(b.recorder.snapshot.transactions.map(\.1.count) == [1, 1])
        #expect(a.logs.contains("p2p: dropped a transaction of \(70 * 1024) bytes"))
        a.network.broadcastConsensus([1], except: nil)
        eventually("a small one arrives") { b.recorder.allConsensus == [[1]] }
        #expect(a.isConnected(to: b))
    }
}
