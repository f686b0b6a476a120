import Foundation
import QuorateCore
import QuorateCrypto
import Synchronization
import Testing
@testable import QuorateP2P

/// Keep-alive, silence, connect and hold-off timeouts of a real network over real sockets,
/// with time moved by hand: each rule fires when the test moves the clock past it, not when
/// some real time has gone by, and no test here sleeps or measures a duration.
@Suite struct NetworkClockTests {
    let liveness = SessionLiveness(.default)

    /// Two connected peers, each on its own manual clock; B dials A. Neither clock has moved,
    /// so neither side has sent a keep-alive.
    func connectedPair() throws -> (a: TestPeer, b: TestPeer, clock: ManualNetworkClock) {
        let keys = (0..<2).map { _ in Secp256k1.PrivateKey.generate() }
        let allowed = AllowList(keys.map(\.publicKey))
        let clock = ManualNetworkClock()
        let a = try TestPeer(key: keys[0], allowed: allowed, clock: clock)
        let b = try TestPeer(key: keys[1], peers: [a.address], allowed: allowed, clock: ManualNetworkClock())
        eventually("B connects to A") { a.isConnected(to: b) && b.isConnected(to: a) }
        return (a, b, clock)
    }

    /// Waits until A's maintenance thread has made its pass at the current instant of its clock
    /// (it then waits for the next tick from there).
    func maintenancePassed(_ clock: ManualNetworkClock) {
        let at = clock.elapsed
        eventually("the maintenance pass at \(at)") { clock.maintenanceWaits.map(\.from) == [at] }
    }

    @Test("an idle session gets its keep-alive once the clock passes keepAliveInterval, and not before")
    func keepAliveFollowsTheClock() throws {
        let (a, b, clock) = try connectedPair()
        defer { a.stop(); b.stop() }
        maintenancePassed(clock)
        clock.advance(by: liveness.tick)
        maintenancePassed(clock)
        #expect(b.recorder.snapshot.heights.isEmpty, "no keep-alive a tick (250 ms) after the hello")
        clock.advance(by: liveness.tick)
        eventually("B receives A's keep-alive (a status with A's height)") {
            b.recorder.snapshot.heights.contains { $0.0 == a.id && $0.1 == 0 }
        }
        #expect(a.isConnected(to: b))
    }

    @Test("a peer heard from last at the session's start is closed as a dead link once the clock passes idleTimeout")
    func silenceFollowsTheClock() throws {
        let (a, b, clock) = try connectedPair()
        defer { a.stop(); b.stop() }
        maintenancePassed(clock)
        // B's clock stands still: it sends no keep-alive, so A hears nothing while A's moves.
        clock.advance(by: .seconds(2))
        maintenancePassed(clock)
        #expect(a.isConnected(to: b), "exactly idleTimeout of silence is still tolerated")
        clock.advance(by: liveness.tick)
        eventually("A closes the silent session") { a.network.connectedPeers.isEmpty }
        eventually("A logs why") {
            a.logs.contains("p2p: disconnected \(b.id)", "nothing received for", "NetworkLimits.idleTimeout (2 s)")
        }
    }

    @Test("a peer held off for misbehaviour is refused until the clock passes misbehaviourHoldOff")
    func holdOffFollowsTheClock() throws {
        let keys = (0..<2).map { _ in Secp256k1.PrivateKey.generate() }
        let allowed = AllowList(keys.map(\.publicKey))
        let clock = ManualNetworkClock()
        let a = try TestPeer(key: keys[0], allowed: allowed, clock: clock)
        defer { a.stop() }
        let hand = try HandPeer.connect(to: a, key: keys[1])
        try hand.send(.status(height: 1))   // before the hello: misbehaviour
        #expect(hand.seesClose())
        eventually("A holds B off") { a.logs.contains("p2p: holding off \(keys[1].publicKey) for 60 s") }

        clock.advance(by: .seconds(59))
        let early = try HandPeer.connect(to: a, key: keys[1])
        #expect(early.seesClose(), "refused right after the handshake")
        eventually("A says why") { a.logs.contains("p2p: refused \(keys[1].publicKey)", "held off for another 1 s") }

        clock.advance(by: .seconds(1))
        let later = try HandPeer.connect(to: a, key: keys[1])
        try later.sendHello()
        eventually("A accepts B once the hold-off is over") { a.network.connectedPeers == [keys[1].publicKey] }
    }

    @Test("a dial that gets no answer gives up when the clock passes PeerLimits.connectTimeout, and not before")
    func connectTimeoutFollowsTheClock() throws {
        // A listener that never accepts, its one-place queue taken: the kernel drops further
        // SYNs, so a dial gets no answer at all (as into a cut link).
        let silent = try Socket.listen(host: "127.0.0.1", port: 0, backlog: 0)
        let filler = try Socket.connect(host: "127.0.0.1", port: silent.localPort, deadline: .now + .seconds(testTimeout))
        defer { withExtendedLifetime((silent, filler)) {} }
        let target = NodeAddress(publicKey: Secp256k1.PrivateKey.generate().publicKey, host: "127.0.0.1", port: silent.localPort)

        let clock = ManualNetworkClock()
        let outcome = Mutex<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        let key = Secp256k1.PrivateKey.generate()
        Thread {
            let text: String
            do {
                _ = try PeerConnection.connect(to: target, localKey: key, clock: clock)
                text = "connected"
            } catch {
                text = "\(error)"
            }
            outcome.withLock { $0 = text }
            done.signal()
        }.start()

        eventually("the dial waits for an answer") { clock.socketPolls > 0 }
        clock.advance(by: .milliseconds(999))
        #expect(outcome.withLock { $0 } == nil, "still dialing 999 ms into a 1 s connect timeout")
        clock.advance(by: .milliseconds(1))
        #expect(done.wait(timeout: .now() + testTimeout) == .success)
        let text = outcome.withLock { $0 } ?? ""
        #expect(text.contains("no answer within 1 s (PeerLimits.connectTimeout)"), "\(text)")
    }
}
