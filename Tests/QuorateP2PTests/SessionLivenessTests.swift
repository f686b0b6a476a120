import Testing
@testable import QuorateP2P

/// The keep-alive, silence and reconnect rules, driven by instants the tests make up: no test
/// here sleeps or waits on a real timeout.
@Suite struct SessionLivenessTests {
    let t0 = ManualNetworkClock().start
    let liveness = SessionLiveness(.default)

    func at(_ ms: Int) -> ContinuousClock.Instant { t0 + .milliseconds(ms) }

    func times(hello: Bool = true, heardMs: Int = 0, sentMs: Int = 0) -> SessionLiveness.Times {
        SessionLiveness.Times(createdAt: t0, hasHello: hello, lastHeard: at(heardMs), lastSent: at(sentMs))
    }

    @Test("the defaults: a keep-alive every 500 ms when idle, a dead link closed 2 s after the last byte, checked every 250 ms")
    func defaults() {
        #expect(NetworkLimits.default.keepAliveInterval == .milliseconds(500))
        #expect(NetworkLimits.default.idleTimeout == .seconds(2))
        #expect(liveness.tick == .milliseconds(250))
        // The worst case from the last byte to the close is idleTimeout plus one tick.
        #expect(NetworkLimits.default.idleTimeout + liveness.tick <= .milliseconds(2_250))
    }

    @Test("a session that sent nothing for a keep-alive interval gets a keep-alive; one that sent recently does not")
    func keepAlive() {
        #expect(liveness.verdict(times(heardMs: 400, sentMs: 0), now: at(499)) == .fine)
        #expect(liveness.verdict(times(heardMs: 400, sentMs: 0), now: at(500)) == .sendKeepAlive)
        #expect(liveness.verdict(times(heardMs: 900, sentMs: 700), now: at(1_000)) == .fine)
    }

    @Test("a peer silent beyond idleTimeout is ended as a dead link, whatever we sent meanwhile")
    func silence() {
        #expect(liveness.verdict(times(heardMs: 0, sentMs: 2_000), now: at(2_000)) == .fine)
        guard case let .end(reason) = liveness.verdict(times(heardMs: 0, sentMs: 2_000), now: at(2_100)) else {
            Issue.record("a silent session was kept")
            return
        }
        #expect(reason.contains("nothing received for 2.1 s") && reason.contains("NetworkLimits.idleTimeout (2 s)"))
        #expect(reason.contains("the link or the peer is down"))
    }

    @Test("bytes of a message still arriving count as heard: a large block on a slow link is not silence")
    func partialMessageCounts() {
        // No whole message for 10 s, but bytes arrived 100 ms ago.
        #expect(liveness.verdict(times(heardMs: 9_900, sentMs: 9_900), now: at(10_000)) == .fine)
    }

    @Test("a session without a hello ends after helloTimeout; before it the silence rule does not apply")
    func helloTimeout() {
        #expect(liveness.verdict(times(hello: false), now: at(9_000)) == .fine)
        guard case let .end(reason) = liveness.verdict(times(hello: false), now: at(10_001)) else {
            Issue.record("a session without hello was kept")
            return
        }
        #expect(reason == "no hello within 10 s (NetworkLimits.helloTimeout)")
    }

    @Test("toward a validator the backoff doubles from 250 ms and stops at 500 ms; toward others at 10 s")
    func backoffCaps() {
        var validator = ReconnectBackoff(.default)
        #expect((0..<6).map { _ in validator.next(validator: true) }
            == [.milliseconds(250), .milliseconds(500), .milliseconds(500), .milliseconds(500), .milliseconds(500), .milliseconds(500)])
        var other = ReconnectBackoff(.default)
        #expect((0..<8).map { _ in other.next(validator: false) }
            == [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10)])
    }

    @Test("a peer that becomes a validator is redialed at the validator cap at once; a session past hello resets the backoff")
    func backoffFollowsTheSet() {
        var backoff = ReconnectBackoff(.default)
        for _ in 0..<8 { _ = backoff.next(validator: false) }
        #expect(backoff.next(validator: true) == .milliseconds(500))
        backoff.reset()
        #expect(backoff.next(validator: false) == .milliseconds(250))
    }

    @Test("a dial into a cut link gives up after PeerLimits.connectTimeout (1 s), well before the handshake timeout")
    func connectTimeout() {
        #expect(PeerLimits.default.connectTimeout == .seconds(1))
        #expect(PeerLimits.default.connectTimeout < PeerLimits.default.handshakeTimeout)
        // While a validator's link is cut, a fresh SYN leaves at least every 1.5 s.
        #expect(PeerLimits.default.connectTimeout + NetworkLimits.default.validatorReconnectMaxDelay <= .milliseconds(1_500))
    }
}
