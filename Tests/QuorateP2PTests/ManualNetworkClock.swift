import Foundation
import Synchronization
@testable import QuorateP2P

/// A `NetworkClock` that moves only when the test calls `advance`. A network on it sends no
/// keep-alive, ends no silent session, redials no peer and gives up no connect until the test
/// moves the clock past the deadline; the waits in progress are listed, so a test sees the
/// backoff a dialer chose as an event instead of measuring it.
final class ManualNetworkClock: NetworkClock {
    /// A wait in progress: what for, when it began (time since the clock's start) and how long it is.
    struct Wait: Sendable, Equatable {
        let purpose: NetworkWait
        let from: Duration
        let length: Duration
    }

    private struct State {
        var now: ContinuousClock.Instant
        var waits: [Int: Wait] = [:]
        var nextWait = 0
        var socketPolls = 0
    }

    /// How often a waiting thread reads the clock again: how soon an `advance` is noticed, never
    /// a time any test measures or depends on.
    static let recheck = Duration.milliseconds(2)

    /// Only an origin: nothing reads it again, every later instant is this plus what was advanced.
    let start: ContinuousClock.Instant
    private let state: Mutex<State>

    init() {
        let origin = ContinuousClock.now
        start = origin
        state = Mutex(State(now: origin))
    }

    var now: ContinuousClock.Instant { state.withLock { $0.now } }

    /// Time advanced since the start.
    var elapsed: Duration { start.duration(to: now) }

    func advance(by duration: Duration) {
        precondition(duration >= .zero, "a monotonic clock does not go back")
        state.withLock { $0.now += duration }
    }

    func wait(on wake: DispatchSemaphore, for duration: Duration, purpose: NetworkWait) -> Bool {
        let (id, deadline) = state.withLock { (s: inout State) -> (Int, ContinuousClock.Instant) in
            let id = s.nextWait
            s.nextWait += 1
            s.waits[id] = Wait(purpose: purpose, from: start.duration(to: s.now), length: duration)
            return (id, s.now + duration)
        }
        defer { state.withLock { _ = $0.waits.removeValue(forKey: id) } }
        while true {
            if wake.wait(timeout: .now() + Network.dispatchInterval(Self.recheck)) == .success { return true }
            if now >= deadline { return false }
        }
    }

    func pollSlice(remaining: Duration) -> Duration {
        state.withLock { $0.socketPolls += 1 }
        return min(remaining, Self.recheck)
    }

    /// How many times a socket wait (connect, handshake) has polled against this clock: above
    /// zero once a dial is under way with its deadline taken from this clock.
    var socketPolls: Int { state.withLock { $0.socketPolls } }

    /// The waits in progress, oldest first.
    var waits: [Wait] { state.withLock { s in s.waits.sorted { $0.key < $1.key }.map(\.value) } }

    /// The maintenance thread's wait in progress, if it waits.
    var maintenanceWaits: [Wait] { waits.filter { $0.purpose == .maintenanceTick } }

    /// The dialers' waits in progress.
    var redialWaits: [Wait] { waits.filter { $0.purpose != .maintenanceTick } }
}
