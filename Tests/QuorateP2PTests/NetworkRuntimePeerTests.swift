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
        let clock = ManualNetworkClock()
        let a = try TestPeer(key: keys[0], allowed: allowedByA, clock: clock)
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
        // The session is unregistered before its end is logged.
        eventually("A logs why it closed the session") { a.logs.contains("p2p: disconnected \(b.id)", "no longer in the allowlist") }
        #expect(a.logs.contains("p2p: stopped dialing \(b.id) (removed at run time)"))
        // Nothing dials again: A's dialer is gone and B never dialed. A dialer that survived
        // would sit in a backoff wait on A's clock (it never advanced, so none can have ended).
        eventually("A's dialer for B has ended") { clock.redialWaits.isEmpty }
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
        let clock = ManualNetworkClock()
        let b = try TestPeer(key: refused, peers: [a.address], allowed: AllowList([a.id]), clock: clock)
        defer { a.stop(); b.stop() }
        // Each refusal puts B's dialer into a wait on its clock, twice as long as the one
        // before; only moving the clock past it brings the next attempt.
        var elapsed = Duration.zero
        for (attempt, wait) in [Duration.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2)].enumerated() {
            let expected = ManualNetworkClock.Wait(purpose: .redial(a.id), from: elapsed, length: wait)
            eventually("B backs off \(wait) after refusal \(attempt + 1)") { clock.redialWaits == [expected] }
            eventually("A logs refusal \(attempt + 1)") { a.logs.count("p2p: refused \(b.id)") == attempt + 1 }
            #expect(a.logs.count("p2p: refused \(b.id)") == attempt + 1, "no attempt while B's dialer waits")
            clock.advance(by: wait)
            elapsed += wait
        }
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
