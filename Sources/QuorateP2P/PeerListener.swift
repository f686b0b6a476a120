import Foundation
import QuorateCrypto
import Synchronization

/// Accepts inbound connections, runs the responder's handshake on each (one short-lived thread
/// per handshake, at most `maxPendingHandshakes` at once) and hands over those whose key is
/// allowed. Everything else is reported through `onRejected`, for the log, and the listener
/// goes on accepting.
public final class PeerListener: Sendable {
    /// How a refused inbound connection ended; `remoteKey` is known once act three authenticated.
    public struct Rejection: Sendable, CustomStringConvertible {
        public let remoteAddress: String
        public let remoteKey: Secp256k1.PublicKey?
        public let reason: PeerConnectionError

        public var description: String { "inbound connection from \(remoteAddress) refused: \(reason)" }
    }

    /// Default bound on handshakes in progress: each holds a thread and a socket for up to the
    /// handshake timeout, and a permissioned network has few legitimate peers.
    public static let defaultMaxPendingHandshakes = 32

    /// The port actually bound (useful when 0 was asked for).
    public let port: UInt16
    private let core: Core

    /// Binds `host:port` and starts accepting. `isAllowed` is asked after act three; `onPeer`
    /// receives each allowed connection, `onRejected` everything else. All three run on the
    /// connection's handshake thread, which `onPeer` may keep (for the peer's read loop).
    public init(localKey: Secp256k1.PrivateKey, host: String = "0.0.0.0", port: UInt16,
                limits: PeerLimits = .default, maxPendingHandshakes: Int = PeerListener.defaultMaxPendingHandshakes,
                clock: any NetworkClock = .monotonic,
                isAllowed: @escaping @Sendable (Secp256k1.PublicKey) -> Bool,
                onPeer: @escaping @Sendable (PeerConnection) -> Void,
                onRejected: @escaping @Sendable (Rejection) -> Void = { _ in }) throws(PeerConnectionError) {
        precondition(maxPendingHandshakes > 0, "maxPendingHandshakes must be positive")
        let socket: Socket
        do {
            socket = try Socket.listen(host: host, port: port)
        } catch {
            let reason = switch error {
            case .timedOut: "timed out"
            case let .system(text): text
            }
            throw .connectFailed(address: "\(host):\(port)", reason: "cannot listen: \(reason)")
        }
        self.port = socket.localPort
        let core = Core(socket: socket, localKey: localKey, limits: limits, maxPending: maxPendingHandshakes, clock: clock,
                        isAllowed: isAllowed, onPeer: onPeer, onRejected: onRejected)
        self.core = core
        // The thread holds the core, not the listener, so that dropping the listener closes it.
        let thread = Thread { core.acceptLoop() }
        thread.name = "p2p-listener :\(self.port)"
        thread.start()
    }

    deinit { core.close() }

    /// Stops accepting. Handshakes in progress finish or time out; their connections are
    /// closed rather than handed over. Connections already handed over are not affected.
    public func close() { core.close() }

    private final class Core: Sendable {
        let socket: Socket
        let localKey: Secp256k1.PrivateKey
        let limits: PeerLimits
        let maxPending: Int
        let clock: any NetworkClock
        let isAllowed: @Sendable (Secp256k1.PublicKey) -> Bool
        let onPeer: @Sendable (PeerConnection) -> Void
        let onRejected: @Sendable (Rejection) -> Void
        private let pending = Mutex(0)
        private let closed = Mutex(false)

        init(socket: Socket, localKey: Secp256k1.PrivateKey, limits: PeerLimits, maxPending: Int, clock: any NetworkClock,
             isAllowed: @escaping @Sendable (Secp256k1.PublicKey) -> Bool,
             onPeer: @escaping @Sendable (PeerConnection) -> Void,
             onRejected: @escaping @Sendable (Rejection) -> Void) {
            self.socket = socket
            self.localKey = localKey
            self.limits = limits
            self.maxPending = maxPending
            self.clock = clock
            self.isAllowed = isAllowed
            self.onPeer = onPeer
            self.onRejected = onRejected
        }

        var isClosed: Bool { closed.withLock { $0 } }

        func close() {
            closed.withLock { $0 = true }
            socket.shutdown()   // wakes accept(), which then returns nil
        }

        func acceptLoop() {
            while let (connection, address) = socket.accept() {
                if isClosed { return }
                let admitted = pending.withLock { (count: inout Int) -> Bool in
                    guard count < maxPending else { return false }
                    count += 1
                    return true
                }
                guard admitted else {
                    connection.shutdown()
                    onRejected(Rejection(remoteAddress: address, remoteKey: nil,
                                         reason: .tooManyPendingHandshakes(limit: maxPending)))
                    continue
                }
                let thread = Thread { [self] in
                    let result = Result { () throws(PeerConnectionError) in
                        try PeerConnection.accept(socket: connection, remoteAddress: address, localKey: localKey,
                                                  limits: limits, clock: clock, isAllowed: isAllowed)
                    }
                    // The handshake is over: free its slot before the callbacks, which may
                    // keep this thread (a node may run the peer's read loop inside onPeer).
                    pending.withLock { $0 -= 1 }
                    if case .failure = result { connection.shutdown() }
                    deliver(result, from: address)
                }
                thread.name = "p2p-handshake \(address)"
                thread.start()
            }
        }

        private func deliver(_ result: Result<PeerConnection, PeerConnectionError>, from address: String) {
            switch result {
            case let .success(peer):
                if isClosed {
                    peer.close()
                } else {
                    onPeer(peer)
                }
            case let .failure(error):
                var key: Secp256k1.PublicKey?
                if case let .notAllowed(refused) = error { key = refused }
                onRejected(Rejection(remoteAddress: address, remoteKey: key, reason: error))
            }
        }
    }
}
