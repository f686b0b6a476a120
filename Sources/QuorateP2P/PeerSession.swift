import Foundation
import QuorateCrypto
import Synchronization

/// Messages a peer may send: `rate` tokens per second, at most `capacity` saved up.
struct TokenBucket: Sendable {
    let rate: Double
    let capacity: Double
    private(set) var tokens: Double
    private var last: ContinuousClock.Instant

    init(rate: Double, burst: Int, now: ContinuousClock.Instant) {
        self.rate = rate
        capacity = Double(burst)
        tokens = Double(burst)
        last = now
    }

    /// Takes one token; false if none is left.
    mutating func take(now: ContinuousClock.Instant) -> Bool {
        let (seconds, attoseconds) = last.duration(to: now).components
        let elapsed = max(0, Double(seconds) + Double(attoseconds) / 1e18)
        tokens = min(capacity, tokens + elapsed * rate)
        last = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}

/// One connection to one peer, from the handshake to its end, as the `Network` sees it.
final class PeerSession: Sendable {
    let connection: PeerConnection
    var key: PeerID { connection.remoteKey }
    var direction: PeerConnection.Direction { connection.direction }
    let createdAt: ContinuousClock.Instant

    private struct State {
        var hello: Hello?
        var height: UInt64 = 0
        var endReason: String?
        var lastReceived: ContinuousClock.Instant
        var lastSent: ContinuousClock.Instant
        var bucket: TokenBucket
        var announced = false
        var disconnectReported = false
        var lastDropLog: ContinuousClock.Instant?
        var dropsNotLogged = 0
    }

    /// At most one "dropped a message" log line per peer in this interval.
    static let dropLogInterval = Duration.seconds(10)

    private let state: Mutex<State>
    private let clock: any NetworkClock

    init(connection: PeerConnection, limits: NetworkLimits, clock: any NetworkClock) {
        self.connection = connection
        self.clock = clock
        let now = clock.now
        createdAt = now
        state = Mutex(State(lastReceived: now, lastSent: now,
                            bucket: TokenBucket(rate: limits.messagesPerSecond, burst: limits.messageBurst, now: now)))
    }

    /// "02ab...ef (127.0.0.1:5555, inbound)", for logs.
    var label: String { "\(key) (\(connection.remoteAddress), \(direction == .inbound ? "inbound" : "outbound"))" }

    /// The peer's hello has arrived and matched: the session carries application messages.
    var isReady: Bool { state.withLock { $0.hello != nil && $0.endReason == nil } }
    var hasHello: Bool { state.withLock { $0.hello != nil } }
    var height: UInt64 { state.withLock { $0.height } }
    var endReason: String? { state.withLock { $0.endReason } }
    var lastReceived: ContinuousClock.Instant { state.withLock { $0.lastReceived } }
    var lastSent: ContinuousClock.Instant { state.withLock { $0.lastSent } }

    var livenessTimes: SessionLiveness.Times {
        let lastRead = connection.lastReadAt
        return state.withLock {
            SessionLiveness.Times(createdAt: createdAt, hasHello: $0.hello != nil,
                                  lastHeard: max($0.lastReceived, lastRead), lastSent: $0.lastSent)
        }
    }

    func accepted(_ hello: Hello) {
        state.withLock {
            $0.hello = hello
            $0.height = hello.height
        }
    }

    func setHeight(_ height: UInt64) { state.withLock { $0.height = height } }

    /// Records a received message; false if it exceeds the rate limit.
    func received(now: ContinuousClock.Instant) -> Bool {
        state.withLock {
            $0.lastReceived = now
            return $0.bucket.take(now: now)
        }
    }

    /// Ends the session for `reason` (the first reason is kept) and closes the connection,
    /// which wakes the read loop.
    func end(_ reason: String) {
        state.withLock { if $0.endReason == nil { $0.endReason = reason } }
        connection.close()
    }

    /// Ends the session after telling the peer why, so its log names the real cause rather
    /// than a bare close. The goodbye is written off the caller's thread: closing after a final
    /// message waits for the peer's close (bounded), and the caller is starting a new session.
    func end(_ reason: String, goodbye: WireMessage.Goodbye) {
        state.withLock { if $0.endReason == nil { $0.endReason = reason } }
        let connection = self.connection
        DispatchQueue.global().async { connection.close(after: WireMessage.goodbye(goodbye).encoded()) }
    }

    /// Queues an encoded message; false (with the reason) if the connection refused it.
    func send(_ bytes: [UInt8]) -> PeerConnectionError? {
        do {
            try connection.send(bytes)
        } catch {
            return error
        }
        let now = clock.now
        state.withLock { $0.lastSent = now }
        return nil
    }

    /// Whether to log a dropped outgoing message now, and how many drops went unlogged before
    /// it; nil to stay quiet (a peer that does not read would otherwise flood the log).
    func shouldLogDrop(now: ContinuousClock.Instant) -> Int? {
        state.withLock {
            if let last = $0.lastDropLog, last.duration(to: now) < Self.dropLogInterval {
                $0.dropsNotLogged += 1
                return nil
            }
            $0.lastDropLog = now
            let unlogged = $0.dropsNotLogged
            $0.dropsNotLogged = 0
            return unlogged
        }
    }

    /// Marks the session announced to the delegate; false if it already ended.
    func markAnnounced() -> Bool {
        state.withLock {
            guard $0.endReason == nil, !$0.disconnectReported else { return false }
            $0.announced = true
            return true
        }
    }

    /// True exactly once, for an announced session: then the delegate hears of its end.
    func markDisconnectReported() -> Bool {
        state.withLock {
            guard $0.announced, !$0.disconnectReported else { return false }
            $0.disconnectReported = true
            return true
        }
    }
}
