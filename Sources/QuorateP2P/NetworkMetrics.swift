import Synchronization

/// Counters of the peers layer, read by the node's `/metrics`: bytes and messages in and out by
/// message type, handshake failures and hold-offs by reason.
///
/// One per process (`NetworkMetrics.shared`): the existing P2P code counts with one-line calls,
/// and a process runs one network. Every label comes from a fixed set (message types, error
/// kinds, reason classes), so no peer can grow the set of series.
public final class NetworkMetrics: Sendable {
    public static let shared = NetworkMetrics()

    public enum Direction: String, Sendable, CaseIterable {
        case inbound = "in", outbound = "out"
    }

    /// Message types, in wire-tag order: the label values of the per-type counters. A name not
    /// in the list (a message added without updating it) counts as "other", never as another type.
    public static let messageTypes = ["hello", "transactions", "consensus", "status", "getBlocks", "blocks",
                                      "poolHashes", "getPoolTransactions", "goodbye", "stateRequest", "stateResponse", "other"]

    public struct Snapshot: Sendable, Equatable {
        /// [direction][type] -> count, in `Direction.allCases` and `messageTypes` order.
        public var messages: [[UInt64]]
        public var bytes: [[UInt64]]
        /// (direction, reason) -> count, sorted.
        public var handshakeFailures: [(String, String, UInt64)]
        /// reason -> count, sorted.
        public var holdOffs: [(String, UInt64)]

        public static func == (a: Snapshot, b: Snapshot) -> Bool {
            a.messages == b.messages && a.bytes == b.bytes
                && a.handshakeFailures.elementsEqual(b.handshakeFailures) { $0 == $1 }
                && a.holdOffs.elementsEqual(b.holdOffs) { $0 == $1 }
        }
    }

    private struct State {
        var messages = Array(repeating: Array(repeating: UInt64(0), count: NetworkMetrics.messageTypes.count), count: 2)
        var bytes = Array(repeating: Array(repeating: UInt64(0), count: NetworkMetrics.messageTypes.count), count: 2)
        var handshakeFailures: [String: UInt64] = [:]
        var holdOffs: [String: UInt64] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// One message of `type` (a `WireMessage` name) and its encoded size.
    public func message(_ direction: Direction, _ type: String, bytes: Int) {
        let t = Self.messageTypes.firstIndex(of: type) ?? Self.messageTypes.count - 1
        let d = direction == .inbound ? 0 : 1
        state.withLock { s in
            s.messages[d][t] += 1
            s.bytes[d][t] += UInt64(bytes)
        }
    }

    /// A connection that ended before a session: failed to connect, failed or timed out in
    /// the handshake, or refused after it (not allowed, held off, full).
    public func handshakeFailed(_ direction: Direction, _ error: any Error) {
        let reason = Self.reason(of: error)
        state.withLock { $0.handshakeFailures[direction.rawValue + "\u{0}" + reason, default: 0] += 1 }
    }

    /// A peer held off; `reason` is the log's free text, counted by its class.
    public func heldOff(reason: String) {
        let label = Self.holdOffClass(reason)
        state.withLock { $0.holdOffs[label, default: 0] += 1 }
    }

    public func snapshot() -> Snapshot {
        state.withLock { s in
            let failures = s.handshakeFailures.sorted { $0.key < $1.key }.map { entry -> (String, String, UInt64) in
                let parts = entry.key.split(separator: "\u{0}", maxSplits: 1).map(String.init)
                return (parts[0], parts.count > 1 ? parts[1] : "other", entry.value)
            }
            return Snapshot(messages: s.messages, bytes: s.bytes, handshakeFailures: failures,
                            holdOffs: s.holdOffs.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
    }

    static func reason(of error: any Error) -> String {
        guard let error = error as? PeerConnectionError else { return "other" }
        switch error {
        case .closed: return "closed"
        case .closedByPeer: return "closed_by_peer"
        case .connectFailed: return "connect_failed"
        case .handshakeTimedOut: return "handshake_timeout"
        case .handshakeFailed: return "handshake_failed"
        case .notAllowed: return "not_allowed"
        case .tooManyPendingHandshakes: return "too_many_pending"
        case .protocolViolation: return "protocol_violation"
        case .messageTooLarge: return "message_too_large"
        case .sendQueueFull: return "send_queue_full"
        case .writeStalled: return "write_stalled"
        case .io: return "io"
        }
    }

    /// The hold-off reasons of `Network` (and the node's `reportMisbehaviour`) by class.
    static func holdOffClass(_ reason: String) -> String {
        let rules: [(String, String)] = [
            ("messages at once", "rate_limit"), ("malformed", "malformed_message"), ("second hello", "protocol"),
            ("before the hello", "protocol"), ("does not verify", "invalid_block"), ("handshake", "handshake"),
            ("broke the protocol", "protocol"), ("too large", "message_too_large"),
        ]
        return rules.first { reason.contains($0.0) }?.1 ?? "other"
    }
}
