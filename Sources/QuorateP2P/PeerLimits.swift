/// Per-connection limits. Everything a peer can make us hold or wait for is bounded here.
/// Immutable, so the relations checked in `init` always hold.
public struct PeerLimits: Sendable, Equatable {
    /// Largest message accepted from the peer (checked on the first frame of a message, before
    /// buffering it) and sent to it. Default and ceiling: `MessageFraming.maxMessageBytes`
    /// (66 MiB). A node sets it from its genesis (largest block plus certificate and envelope).
    public let maxMessageBytes: Int
    /// Plaintext bytes of messages waiting to be written to the peer. `send` refuses a message
    /// that would exceed it (`sendQueueFull`): a peer that does not read cannot make us buffer
    /// without end. Must be at least `maxMessageBytes`, so that an idle connection takes any
    /// message. Default 2 x 66 MiB: two largest blocks in flight.
    public let maxQueuedSendBytes: Int
    /// Time from TCP connect (or accept) to the end of act three. Default 10 s.
    public let handshakeTimeout: Duration
    /// How long a dial waits for the TCP connection itself (within `handshakeTimeout`).
    /// Default 1 s, the kernel's first SYN retransmission time: a dial into a cut link gives
    /// up then and the dialer sends a fresh SYN after its backoff, rather than waiting on the
    /// kernel's doubling SYN retries (1, 3, 7 s ...) while the link may already be back.
    public let connectTimeout: Duration
    /// How long one write may make no progress before the connection is dropped (SO_SNDTIMEO).
    /// Default 30 s.
    public let writeStallTimeout: Duration

    public static let `default` = PeerLimits()

    public init(maxMessageBytes: Int = MessageFraming.maxMessageBytes,
                maxQueuedSendBytes: Int = 2 * MessageFraming.maxMessageBytes,
                handshakeTimeout: Duration = .seconds(10),
                connectTimeout: Duration = .seconds(1),
                writeStallTimeout: Duration = .seconds(30)) {
        precondition(maxMessageBytes >= 0 && maxMessageBytes <= MessageFraming.maxMessageBytes,
                     "maxMessageBytes must be 0...\(MessageFraming.maxMessageBytes)")
        precondition(maxQueuedSendBytes >= maxMessageBytes, "maxQueuedSendBytes must be at least maxMessageBytes")
        precondition(handshakeTimeout > .zero && writeStallTimeout > .zero && connectTimeout > .zero,
                     "timeouts must be positive")
        self.maxMessageBytes = maxMessageBytes
        self.maxQueuedSendBytes = maxQueuedSendBytes
        self.handshakeTimeout = handshakeTimeout
        self.connectTimeout = connectTimeout
        self.writeStallTimeout = writeStallTimeout
    }
}
