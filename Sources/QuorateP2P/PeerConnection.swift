import Foundation
import QuorateCrypto
import Synchronization

/// An authenticated, encrypted connection to one peer, after a successful BOLT 8 handshake
/// (and, for an inbound connection, the allowlist check).
///
/// `send` queues and returns at once (a writer thread writes); `receive` blocks until a whole
/// message has arrived. Both are safe from any thread; one reader at a time is the intended use
/// (concurrent `receive` calls are served one after the other). Any failure closes the
/// connection and is kept as `closeReason`; later calls throw it again.
public final class PeerConnection: Sendable {
    public enum Direction: Sendable, Equatable { case inbound, outbound }

    /// The peer's node key, authenticated by the handshake.
    public let remoteKey: Secp256k1.PublicKey
    /// The peer's socket address, "host:port", for logs.
    public let remoteAddress: String
    public let direction: Direction
    public var limits: PeerLimits { outbox.limits }

    /// Read size: also what may sit decrypted-but-unreturned in the receiver, so it bounds the
    /// receive side's memory together with one frame and the message in progress.
    static let readChunkBytes = 64 * 1024

    private struct ReceiveState {
        var receiver: NoiseTransport.Receiver
        var scratch = [UInt8](repeating: 0, count: PeerConnection.readChunkBytes)
    }

    private let outbox: Outbox
    private let receiveState: Mutex<ReceiveState>
    /// Apart from `receiveState`, which a blocked `receive` holds.
    private let lastRead: Mutex<ContinuousClock.Instant>
    private let clock: any NetworkClock

    init(socket: Socket, outcome: NoiseHandshake.Outcome, direction: Direction, remoteAddress: String, limits: PeerLimits,
         clock: any NetworkClock = .monotonic) {
        self.clock = clock
        lastRead = Mutex(clock.now)
        remoteKey = outcome.remoteStaticKey
        self.remoteAddress = remoteAddress
        self.direction = direction
        let transport = outcome.makeTransport(maxMessageBytes: limits.maxMessageBytes)
        receiveState = Mutex(ReceiveState(receiver: transport.receiver))
        socket.setSendTimeout(limits.writeStallTimeout)
        let outbox = Outbox(socket: socket, limits: limits)
        self.outbox = outbox
        // The thread holds the outbox, not the connection: dropping the last reference to the
        // connection closes it (deinit) and the thread ends.
        let sender = transport.sender
        let thread = Thread { outbox.runWriter(sender) }
        thread.name = "p2p-writer \(remoteAddress)"
        thread.start()
    }

    deinit { outbox.close(.closed) }

    /// Queues one message (0 to `limits.maxMessageBytes` bytes). Throws `messageTooLarge` or
    /// `sendQueueFull` without closing the connection, or the reason it was closed.
    public func send(_ message: [UInt8]) throws(PeerConnectionError) {
        try outbox.enqueue(message)
    }

    /// Blocks until the next whole message arrives. Throws the reason once the connection has
    /// ended: `.closedByPeer`, `.closed` after `close()`, `.protocolViolation` (the connection is
    /// then closed: garbage, a bad MAC, a message announced above `limits.maxMessageBytes`).
    public func receive() throws(PeerConnectionError) -> [UInt8] {
        try receiveState.withLock { (state: inout ReceiveState) throws(PeerConnectionError) -> [UInt8] in
            while true {
                if let reason = outbox.closeReason { throw reason }
                do throws(NoiseTransportError) {
                    if let message = try state.receiver.nextMessage() { return message }
                } catch {
                    outbox.close(.protocolViolation(error))
                    continue
                }
                let count: Int
                do throws(SocketFailure) {
                    count = try outbox.socket.read(into: &state.scratch)
                } catch {
                    switch error {
                    case let .system(reason): outbox.close(.io(reason))
                    case .timedOut: preconditionFailure("reads after the handshake have no timeout")
                    }
                    continue
                }
                if count == 0 {
                    // A local close() also ends the stream: its reason is already recorded and wins.
                    let midMessage = state.receiver.bufferedByteCount > 0
                    outbox.close(midMessage ? .io("the peer closed the connection in the middle of a message") : .closedByPeer)
                    continue
                }
                lastRead.withLock { $0 = clock.now }
                state.receiver.append(state.scratch[0..<count])
            }
        }
    }

    /// Sends `message` last and closes the connection once it is written (waiting at most
    /// `timeout`, then closing anyway): a goodbye that says why.
    func close(after message: [UInt8], timeout: Duration = .seconds(1)) {
        outbox.enqueueFinal(message, timeout: timeout)
    }

    /// When bytes last arrived from the peer (whole messages or parts of one).
    var lastReadAt: ContinuousClock.Instant { lastRead.withLock { $0 } }

    /// Closes the connection; queued messages not yet written are dropped. Idempotent.
    public func close() { outbox.close(.closed) }

    /// Why the connection ended, or nil while it is open.
    public var closeReason: PeerConnectionError? { outbox.closeReason }

    /// Plaintext bytes queued and not yet written (bounded by `limits.maxQueuedSendBytes`).
    public var queuedSendBytes: Int { outbox.queuedBytes }
}
