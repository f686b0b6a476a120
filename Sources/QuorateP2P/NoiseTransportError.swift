/// Why an established session failed. Each is caused by the peer (or the path): drop the
/// connection; the session cannot resynchronise after any of them.
public enum NoiseTransportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A frame's length or body did not authenticate: corrupted, injected or not BOLT 8 at all.
    case authenticationFailed(part: String)
    /// A message announced more bytes than the limit; nothing of it was buffered.
    case messageTooLarge(length: Int, limit: Int)
    /// A frame authenticated but its part header breaks Quorate's message framing.
    case malformedFrame(String)

    public var description: String {
        switch self {
        case let .authenticationFailed(part):
            return "frame \(part) failed authentication (MAC mismatch): corrupted stream or a peer not speaking this protocol"
        case let .messageTooLarge(length, limit):
            return "peer announced a message of \(length) bytes, above the limit of \(limit) bytes (PeerLimits.maxMessageBytes)"
        case let .malformedFrame(reason):
            return "malformed message framing: \(reason)"
        }
    }
}
