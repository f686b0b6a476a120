import QuorateCrypto

/// Why a connection could not be made, or why it ended. A connection keeps the first reason it
/// ended for (`PeerConnection.closeReason`); every later `send`/`receive` throws it again.
public enum PeerConnectionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Closed locally with `close()`.
    case closed
    /// The peer closed the connection between messages.
    case closedByPeer
    /// Resolving, connecting or binding failed.
    case connectFailed(address: String, reason: String)
    /// The handshake did not finish within `PeerLimits.handshakeTimeout`.
    case handshakeTimedOut(Duration)
    /// The handshake failed; the peer does not speak BOLT 8 or does not hold the expected key.
    case handshakeFailed(NoiseHandshakeError)
    /// The peer completed the handshake with a key that is not on the allowlist.
    case notAllowed(Secp256k1.PublicKey)
    /// The listener already has `maxPendingHandshakes` handshakes in progress.
    case tooManyPendingHandshakes(limit: Int)
    /// After the handshake, the peer sent bytes that fail authentication or framing.
    case protocolViolation(NoiseTransportError)
    /// A message to send is above `PeerLimits.maxMessageBytes`; the connection stays open.
    case messageTooLarge(length: Int, limit: Int)
    /// The send queue holds too much already; the connection stays open. The peer is not
    /// reading fast enough: drop the message or the peer.
    case sendQueueFull(queued: Int, limit: Int)
    /// A write made no progress for `PeerLimits.writeStallTimeout`.
    case writeStalled(Duration)
    /// A socket error (reset, unreachable, ...), or the stream ended inside a message.
    case io(String)

    /// The peer broke the protocol (as opposed to going away or being slow): the peers layer
    /// holds such a peer off for a while before accepting it again.
    public var isMisbehaviour: Bool {
        switch self {
        case .handshakeFailed, .protocolViolation: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .closed: return "connection closed locally"
        case .closedByPeer: return "connection closed by the peer"
        case let .connectFailed(address, reason): return "cannot connect to \(address): \(reason)"
        case let .handshakeTimedOut(limit): return "handshake did not complete within \(limit) (PeerLimits.handshakeTimeout)"
        case let .handshakeFailed(error): return "handshake failed: \(error)"
        case let .notAllowed(key): return "peer key \(key) is not on the allowlist (validators of the current set and configured non-voting nodes)"
        case let .tooManyPendingHandshakes(limit): return "refused: \(limit) inbound handshakes already in progress"
        case let .protocolViolation(error): return "peer broke the protocol: \(error)"
        case let .messageTooLarge(length, limit): return "message of \(length) bytes is above the limit of \(limit) bytes (PeerLimits.maxMessageBytes)"
        case let .sendQueueFull(queued, limit): return "send queue full (\(queued) bytes queued, limit \(limit), PeerLimits.maxQueuedSendBytes): the peer is not reading fast enough"
        case let .writeStalled(limit): return "peer accepted no data for \(limit) (PeerLimits.writeStallTimeout)"
        case let .io(reason): return "connection failed: \(reason)"
        }
    }
}
