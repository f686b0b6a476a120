import Foundation
import QuorateCore
import QuorateCrypto
import Testing
@testable import QuorateP2P

/// Peers added and removed while the network runs (`admin_addPeer`, `admin_removePeer`).
@Suite struct NetworkRuntimePeerTests {
    @Test("a peer added at run time is dialed and listed outbound; removed, it is no longer dialed and the recheck closes it")
    func addThenRemove() throws {
        let keys = (0..<2).map { _ in Secp256k1.PrivateKey.generate() }
        // A allows only itself at first; B allows A but dials no one.
        let allowedByA = AllowList([])
        let a = try TestPeer(key: keys[0], allowed: allowedByA)
        let b = try TestPeer(key: keys[1], allowed: AllowList([keys[0].publicKey]))
        defer { a.stop(); b.stop() }

        allowedByA.insert(b.id)
        #expect(a.network.addPeer(b.address) == .added)
        eventually("A dials B") { a.isConnected(to: b) && b.isConnected(to: a) }
        let listed = a.network.peers()
        #expect(listed.map(\.key) == [b.id])
        #expect(listed.first?.direction == .outbound)
        #expect(listed.first?.remoteAddress == "127.0.0.1:\(b.port)")
        #expect(b.network.peers().first?.direction == .inbound)
        #expect(a.logs.contains("p2p: dialing \(b.address) (added at run time)"))

        #expect(a.network.addPeer(b.address) == .updated, "adding again only refreshes the address")
        #expect(a.network.addPeer(a.address) == .ownKey)

        allowedByA.remove(b.id)
        #expect(a.network.removePeer(publicKey: b.id))
        #expect(!a.network.removePeer(publicKey: b.id), "already removed")
        a.network.recheckAllowlist()
        eventually("the session is closed on both sides") { a.network.connectedPeers.isEmpty && b.network.connectedPeers.isEmpty }
        #expect(a.logs.contains("p2p: disconnected \(b.id)", "no longer in the allowlist"))
        #expect(a.logs.contains("p2p: stopped dialing \(b.id) (removed at run time)"))
        // Nothing dials again: A's dialer is gone and B never dialed. A reconnect would take
        // NetworkLimits.reconnectInitialDelay (250 ms); four times that is ample to see one.
        Thread.sleep(forTimeInterval: 1)
        #expect(a.network.connectedPeers.isEmpty)
        #expect(a.recorder.snapshot.connected == [b.id], "connected once only")

        // Added again, it is dialed again (by a new dialer; the old one has ended).
        allowedByA.insert(b.id)
        #expect(a.network.addPeer(b.address) == .added)
        eventually("A dials B again") { a.isConnected(to: b) }
        #expect(a.network.peers().first?.direction == .outbound)
    }

    @Test("a dialer whose peer refuses its key backs off (NetworkLimits.reconnectInitialDelay, doubling) instead of redialing at once")
    func refusedDialerBacksOff() throws {
        let a = try TestPeer(allowed: AllowList([]))
        let refused = Secp256k1.PrivateKey.generate()
        let b = try TestPeer(key: refused, peers: [a.address], allowed: AllowList([a.id]))
        defer { a.stop(); b.stop() }
        eventually("A refuses B") { a.logs.contains("p2p: refused \(b.id)") }
        // With the default backoff the attempts start at 0, 0.25 and 0.75 s: three in the next
        // second at most (a slow machine makes fewer). Without backoff it was about a hundred.
        Thread.sleep(forTimeInterval: 1)
        let attempts = a.logs.count("p2p: refused \(b.id)")
        #expect((1...4).contains(attempts), "\(attempts) dial attempts in about a second")
    }

    @Test("a configured peer cannot be added or removed at run time; a stopped network refuses additions")
    func configuredPeers() throws {
        let keys = (0..<2).map { _ in Secp256k1.PrivateKey.generate() }
        let allowed = AllowList(keys.map(\.publicKey))
        let a = try TestPeer(key: keys[0], allowed: allowed)
        let b = try TestPeer(key: keys[1], peers: [a.address], allowed: allowed)
        defer { a.stop(); b.stop() }
        eventually("B dials A") { a.isConnected(to: b) }
        #expect(b.network.addPeer(a.address) == .configured)
        #expect(!b.network.removePeer(publicKey: a.id), "configured peers stay")
        b.stop()
        #expect(b.network.addPeer(NodeAddress(publicKey: Secp256k1.PrivateKey.generate().publicKey, host: "127.0.0.1", port: 1)) == .notRunning)
        let notStarted = try TestPeer(allowed: allowed, start: false)
        #expect(notStarted.network.addPeer(a.address) == .notRunning)
    }
}
