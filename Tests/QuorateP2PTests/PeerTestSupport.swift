import Foundation
import QuorateCrypto
import Synchronization
import Testing
@testable import QuorateP2P

/// Generous upper bound for anything a test waits on; never an assertion about speed.
let testTimeout: Double = 60

/// Collects values handed over from other threads (listener callbacks, reader threads).
final class Inbox<T: Sendable>: Sendable {
    private let items = Mutex<[T]>([])
    private let signal = DispatchSemaphore(value: 0)

    func put(_ item: T) {
        items.withLock { $0.append(item) }
        signal.signal()
    }

    /// The next item, or nil if none arrived within `testTimeout` seconds.
    func take() -> T? {
        guard signal.wait(timeout: .now() + testTimeout) == .success else { return nil }
        return items.withLock { $0.removeFirst() }
    }

    var count: Int { items.withLock { $0.count } }
}

/// `receive()` on another thread, so that a broken implementation fails the test instead of
/// hanging it: after `testTimeout` the connection is closed, which wakes the reader.
func receive(_ connection: PeerConnection) -> Result<[UInt8], PeerConnectionError> {
    let inbox = Inbox<Result<[UInt8], PeerConnectionError>>()
    Thread { inbox.put(Result { () throws(PeerConnectionError) in try connection.receive() }) }.start()
    if let result = inbox.take() { return result }
    Issue.record("receive() did not return within \(testTimeout) s")
    connection.close()
    return inbox.take() ?? .failure(.closed)
}

func receivedMessage(_ connection: PeerConnection) -> [UInt8]? {
    switch receive(connection) {
    case let .success(message): return message
    case let .failure(error):
        Issue.record("receive failed: \(error)")
        return nil
    }
}

func receiveError(_ connection: PeerConnection) -> PeerConnectionError? {
    switch receive(connection) {
    case let .success(message):
        Issue.record("expected the connection to fail, received \(message.count) bytes")
        return nil
    case let .failure(error): return error
    }
}

final class AllowList: Sendable {
    private let keys: Mutex<Set<Secp256k1.PublicKey>>
    init(_ keys: [Secp256k1.PublicKey]) { self.keys = Mutex(Set(keys)) }
    func contains(_ key: Secp256k1.PublicKey) -> Bool { keys.withLock { $0.contains(key) } }
    func insert(_ key: Secp256k1.PublicKey) { _ = keys.withLock { $0.insert(key) } }
    func remove(_ key: Secp256k1.PublicKey) { _ = keys.withLock { $0.remove(key) } }
}

/// A listener on 127.0.0.1 whose allowed peers and outcomes the test can see.
final class TestNode: Sendable {
    let key = Secp256k1.PrivateKey.generate()
    let allowed: AllowList
    let peers = Inbox<PeerConnection>()
    let rejections = Inbox<PeerListener.Rejection>()
    let listener: Mutex<PeerListener?> = Mutex(nil)

    init(allowing keys: [Secp256k1.PublicKey] = [], limits: PeerLimits = .default,
         maxPendingHandshakes: Int = PeerListener.defaultMaxPendingHandshakes) throws {
        allowed = AllowList(keys)
        let l = try PeerListener(localKey: key, host: "127.0.0.1", port: 0, limits: limits,
                                 maxPendingHandshakes: maxPendingHandshakes,
                                 isAllowed: { [allowed] in allowed.contains($0) },
                                 onPeer: { [peers] in peers.put($0) },
                                 onRejected: { [rejections] in rejections.put($0) })
        listener.withLock { $0 = l }
    }

    var port: UInt16 { listener.withLock { $0!.port } }
    var address: NodeAddress { NodeAddress(publicKey: key.publicKey, host: "127.0.0.1", port: port) }

    func allow(_ key: Secp256k1.PublicKey) { allowed.insert(key) }

    /// Connects an allowed client; returns both ends.
    func connectAllowedClient(limits: PeerLimits = .default) throws -> (client: PeerConnection, server: PeerConnection) {
        let clientKey = Secp256k1.PrivateKey.generate()
        allow(clientKey.publicKey)
        let client = try PeerConnection.connect(to: address, localKey: clientKey, limits: limits)
        let server = try #require(peers.take(), "the listener handed over no connection")
        #expect(server.remoteKey == clientKey.publicKey)
        #expect(server.direction == .inbound && client.direction == .outbound)
        return (client, server)
    }

    /// The listener still accepts and serves an allowed peer.
    func expectStillServing() throws {
        let (client, server) = try connectAllowedClient()
        try client.send(Array("still here".utf8))
        #expect(receivedMessage(server) == Array("still here".utf8))
        client.close()
        server.close()
    }

    deinit { listener.withLock { $0?.close() } }
}

/// A hand-driven BOLT 8 peer on a raw socket, for sending what a correct peer never would.
struct RawPeer {
    let socket: Socket

    static func connect(port: UInt16) throws -> RawPeer {
        RawPeer(socket: try Socket.connect(host: "127.0.0.1", port: port, deadline: .now + .seconds(testTimeout)))
    }

    /// A full handshake as initiator; returns the session's transport.
    static func handshake(port: UInt16, localKey: Secp256k1.PrivateKey, remoteKey: Secp256k1.PublicKey) throws -> (RawPeer, NoiseTransport) {
        let peer = try connect(port: port)
        var handshake = NoiseHandshake.initiator(localKey: localKey, remoteKey: remoteKey)
        try peer.write(handshake.makeActOne())
        let actTwo = try peer.socket.read(exactly: NoiseHandshake.actTwoLength, deadline: .now + .seconds(testTimeout))
        let (actThree, outcome) = try handshake.readActTwo(actTwo)
        try peer.write(actThree)
        return (peer, outcome.makeTransport())
    }

    func write(_ bytes: [UInt8]) throws { try socket.writeAll(bytes, deadline: .now + .seconds(testTimeout)) }

    /// True once the other side has closed (end of stream or reset), within `testTimeout`.
    func seesClose() -> Bool {
        let deadline = ContinuousClock.now + .seconds(testTimeout)
        while true {
            do {
                let bytes = try socket.read(exactly: 4096, deadline: deadline)
                if bytes.count < 4096 { return true }   // the stream ended
            } catch {
                if case .timedOut = error { return false }
                return true   // reset
            }
        }
    }
}

func pattern(_ count: Int, seed: UInt8 = 0) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ $0 >> 9) &+ seed }
}
