/// What the maintenance thread does with one session at one instant: the keep-alive and
/// silence rules as a pure function of times, so tests drive them with instants they make up
/// instead of sleeping.
struct SessionLiveness: Sendable, Equatable {
    let helloTimeout: Duration
    let keepAliveInterval: Duration
    let idleTimeout: Duration

    init(_ limits: NetworkLimits) {
        helloTimeout = limits.helloTimeout
        keepAliveInterval = limits.keepAliveInterval
        idleTimeout = limits.idleTimeout
    }

    /// How often the maintenance thread looks: half a keep-alive interval, so a quiet session
    /// gets its keep-alive between one and one and a half intervals after its last send, and a
    /// silent one is closed at most half an interval after `idleTimeout`.
    var tick: Duration { min(.seconds(1), helloTimeout, keepAliveInterval / 2) }

    enum Verdict: Equatable, Sendable {
        case fine
        case sendKeepAlive
        /// Close the session for this reason (no hold-off: a dead link is not misbehaviour).
        case end(String)
    }

    /// The times of one session, as `PeerSession` and `PeerConnection` record them.
    struct Times: Sendable {
        var createdAt: ContinuousClock.Instant
        var hasHello: Bool
        /// The last time anything arrived: a whole message, or bytes of one still arriving
        /// (a large block on a slow link is traffic, not silence).
        var lastHeard: ContinuousClock.Instant
        var lastSent: ContinuousClock.Instant
    }

    func verdict(_ t: Times, now: ContinuousClock.Instant) -> Verdict {
        if !t.hasHello {
            guard t.createdAt.duration(to: now) > helloTimeout else { return .fine }
            return .end("no hello within \(Network.seconds(helloTimeout)) (NetworkLimits.helloTimeout)")
        }
        let silent = t.lastHeard.duration(to: now)
        if silent > idleTimeout {
            return .end("nothing received for \(Network.seconds(silent)), above NetworkLimits.idleTimeout "
                + "(\(Network.seconds(idleTimeout))): the link or the peer is down; redialing")
        }
        return t.lastSent.duration(to: now) >= keepAliveInterval ? .sendKeepAlive : .fine
    }
}

/// A dialer's wait between attempts: doubling from `initial`, capped by the peer's kind.
struct ReconnectBackoff: Sendable, Equatable {
    let initial: Duration
    let validatorCap: Duration
    let otherCap: Duration
    private(set) var current: Duration

    init(_ limits: NetworkLimits) {
        initial = limits.reconnectInitialDelay
        validatorCap = limits.validatorReconnectMaxDelay
        otherCap = limits.reconnectMaxDelay
        current = initial
    }

    func cap(validator: Bool) -> Duration { validator ? validatorCap : otherCap }

    /// The wait before the next attempt; the one after it doubles, up to the cap. The cap is
    /// taken at each call, so a peer that joins the validator set is redialed sooner at once.
    mutating func next(validator: Bool) -> Duration {
        let cap = cap(validator: validator)
        let wait = min(current, cap)
        current = min(current * 2, cap)
        return wait
    }

    /// After a session that got past the hello.
    mutating func reset() { current = initial }
}
