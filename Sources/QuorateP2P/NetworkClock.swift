import Foundation

/// The peers layer's time: every instant it stamps (last byte heard, last message sent, hold-off
/// ends, handshake and connect deadlines) and every wait it makes (reconnect backoff,
/// maintenance tick) goes through one clock, so tests drive keep-alive, silence, redial and
/// connect timeouts by advancing a manual clock instead of sleeping.
public protocol NetworkClock: Sendable {
    /// The current instant of this clock.
    var now: ContinuousClock.Instant { get }
    /// Blocks until `wake` is signalled (true) or `duration` of this clock has passed (false).
    func wait(on wake: DispatchSemaphore, for duration: Duration, purpose: NetworkWait) -> Bool
    /// How long a blocking system call (poll on a socket) may sleep in real time before this
    /// clock is read again, when `remaining` of this clock's time is left before its deadline.
    func pollSlice(remaining: Duration) -> Duration
}

/// What a network thread waits for: a test clock lists its waits by it.
public enum NetworkWait: Sendable, Equatable {
    /// The maintenance thread's next look at every session (`SessionLiveness.tick`).
    case maintenanceTick
    /// A dialer's next look at its peer: after a backoff, a hold-off, or while connected.
    case redial(PeerID)
}

/// Production: the monotonic clock, waits as real timeouts.
public struct MonotonicNetworkClock: NetworkClock {
    public init() {}

    public var now: ContinuousClock.Instant { .now }

    public func wait(on wake: DispatchSemaphore, for duration: Duration, purpose: NetworkWait) -> Bool {
        wake.wait(timeout: .now() + Network.dispatchInterval(duration)) == .success
    }

    public func pollSlice(remaining: Duration) -> Duration { remaining }
}

extension NetworkClock where Self == MonotonicNetworkClock {
    public static var monotonic: MonotonicNetworkClock { MonotonicNetworkClock() }
}
