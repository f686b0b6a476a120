import Foundation
import QuorateCrypto
import Testing
@testable import QuorateP2P

@Suite struct PeerConnectionTests {
    @Test("two endpoints on 127.0.0.1 exchange messages of 0, 1, 65535, 65536 bytes and 5 MiB, both ways, in order")
    func exchange() throws {
        let node = try TestNode()
        let (client, server) = try node.connectAllowedClient()
        let sizes = [1, 65535, 65536, 5 << 20, 0]
        for (i, size) in sizes.enumerated() { try client.send(pattern(size, seed: UInt8(i))) }
        for (i, size) in sizes.enumerated() {
            let message = receivedMessage(server)
            #expect(message?.count == size)
            #expect(message == pattern(size, seed: UInt8(i)))
        }
        for (i, size) in sizes.enumerated() { try server.send(pattern(size, seed: UInt8(i + 100))) }
        for (i, size) in sizes.enumerated() {
            #expect(receivedMessage(client) == pattern(size, seed: UInt8(i + 100)))
        }
        #expect(client.remoteKey == node.key.publicKey)
        client.close()
        server.close()
    }

    @Test("more than 500 messages each way cross BOLT 8 key rotations on a live connection")
    func rotationOnTheWire() throws {
        let node = try TestNode()
        let (client, server) = try node.connectAllowedClient()
        for i in 0..<1200 { try client.send(pattern(i % 97, seed: UInt8(i & 0xff))) }
        for i in 0..<1200 { #expect(receivedMessage(server) == pattern(i % 97, seed: UInt8(i & 0xff))) }
        client.close()
        server.close()
    }

    @Test("an initiator whose key is not allowed is dropped after act three; the listener keeps accepting")
    func notAllowed() throws {
        let node = try TestNode()
        let stranger = Secp256k1.PrivateKey.generate()
        // From the initiator's side the handshake completes: it learns of the refusal only
        // when the responder drops the connection.
        let client = try PeerConnection.connect(to: node.address, localKey: stranger)
        try client.send(Array("let me in".utf8))
        let rejection = try #require(node.rejections.take())
        #expect(rejection.reason == .notAllowed(stranger.publicKey))
        #expect(rejection.remoteKey == stranger.publicKey)
        #expect(receiveError(client) != nil)
        #expect(node.peers.count == 0)
        try node.expectStillServing()
    }

    @Test("the responder never reads past act three before the allowlist decision")
    func exactReads() throws {
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        let a = Socket(fd: fds[0]), b = Socket(fd: fds[1])
        try a.writeAll(pattern(100), deadline: .now + .seconds(testTimeout))
        let act = try b.read(exactly: NoiseHandshake.actThreeLength, deadline: .now + .seconds(testTimeout))
        #expect(act == Array(pattern(100)[0..<66]))
        a.shutdown()
        let rest = try b.read(exactly: 100, deadline: .now + .seconds(testTimeout))
        #expect(rest == Array(pattern(100)[66...]))
    }

    @Test("garbage instead of a handshake closes the connection; the listener keeps accepting")
    func garbageHandshake() throws {
        let node = try TestNode()
        let raw = try RawPeer.connect(port: node.port)
        var garbage = SecureRandom.bytes(1000)
        garbage[0] = 0x00   // right version, so the ephemeral key or the MAC fails
        try raw.write(garbage)
        #expect(raw.seesClose())
        let rejection = try #require(node.rejections.take())
        guard case .handshakeFailed = rejection.reason else {
            Issue.record("expected a handshake failure, got \(rejection.reason)")
            return
        }
        #expect(rejection.reason.isMisbehaviour)
        #expect(rejection.remoteKey == nil)
        try node.expectStillServing()
    }

    @Test("after a valid handshake, a bad frame closes the connection without crashing; the listener keeps accepting",
          arguments: Misbehaviour.allCases)
    func misbehaviourAfterHandshake(_ misbehaviour: Misbehaviour) throws {
        let node = try TestNode()
        let rawKey = Secp256k1.PrivateKey.generate()
        node.allow(rawKey.publicKey)
        var (raw, transport) = try RawPeer.handshake(port: node.port, localKey: rawKey, remoteKey: node.key.publicKey)
        let server = try #require(node.peers.take())
        #expect(server.remoteKey == rawKey.publicKey)

        // A good message first, so the failure is mid-session.
        try raw.write(transport.seal([1, 2, 3]))
        #expect(receivedMessage(server) == [1, 2, 3])

        let expected: NoiseTransportError
        switch misbehaviour {
        case .garbage:
            try raw.write(SecureRandom.bytes(500))
            expected = .authenticationFailed(part: "length")
        case .badMAC:
            var frame = try transport.seal(pattern(100))
            frame[frame.count - 1] ^= 0x80
            try raw.write(frame)
            expected = .authenticationFailed(part: "body")
        case .oversizedLength:
            // An authenticated frame whose part header announces 4 GiB - 1: refused on the
            // header, before anything is buffered.
            let header: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0, 0, 0xff, 0xff]
            try raw.write(transport.sender.sealFrame(header + pattern(100)))
            expected = .messageTooLarge(length: Int(UInt32.max), limit: MessageFraming.maxMessageBytes)
        case .aboveReceiverLimit:
            // Valid framing, but a message above the cap.
            let total = MessageFraming.maxMessageBytes + 1
            let count = MessageFraming.partCount(forLength: total)
            let header = MessageFraming.header(total: total, index: 0, count: count)
            try raw.write(transport.sender.sealFrame(header + pattern(MessageFraming.chunkCapacity)))
            expected = .messageTooLarge(length: total, limit: MessageFraming.maxMessageBytes)
        }
        #expect(receiveError(server) == .protocolViolation(expected))
        #expect(server.closeReason?.isMisbehaviour == true)
        #expect(raw.seesClose())
        // The failure is kept: sending and receiving report it again.
        #expect(throws: PeerConnectionError.protocolViolation(expected)) { try server.send([1]) }
        try node.expectStillServing()
    }

    enum Misbehaviour: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case garbage, badMAC, oversizedLength, aboveReceiverLimit
        var testDescription: String { rawValue }
    }

    @Test("a message above the receiver's configured limit closes the connection")
    func receiverLimit() throws {
        let node = try TestNode(limits: PeerLimits(maxMessageBytes: 100_000))
        let (client, server) = try node.connectAllowedClient(limits: .default)
        try client.send(pattern(100_000))
        #expect(receivedMessage(server)?.count == 100_000)
        try client.send(pattern(100_001))
        #expect(receiveError(server) == .protocolViolation(.messageTooLarge(length: 100_001, limit: 100_000)))
        client.close()
    }

    @Test("a handshake that does not finish in time is dropped, on either side")
    func handshakeTimeout() throws {
        let short = PeerLimits(handshakeTimeout: .milliseconds(200))
        // Responder side: a client that connects and says nothing.
        let node = try TestNode(limits: short)
        let silent = try RawPeer.connect(port: node.port)
        #expect(try #require(node.rejections.take()).reason == .handshakeTimedOut(.milliseconds(200)))
        #expect(silent.seesClose())

        // Initiator side: a server that accepts and never answers.
        let mute = try Socket.listen(host: "127.0.0.1", port: 0)
        let address = NodeAddress(publicKey: Secp256k1.PrivateKey.generate().publicKey, host: "127.0.0.1", port: mute.localPort)
        #expect(throws: PeerConnectionError.handshakeTimedOut(.milliseconds(200))) {
            _ = try PeerConnection.connect(to: address, localKey: .generate(), limits: short)
        }
    }

    @Test("inbound handshakes beyond maxPendingHandshakes are refused; a finished handshake frees its slot")
    func pendingHandshakes() throws {
        let node = try TestNode(maxPendingHandshakes: 1)
        let silent = try RawPeer.connect(port: node.port)   // holds the only slot
        let second = try RawPeer.connect(port: node.port)
        #expect(try #require(node.rejections.take()).reason == .tooManyPendingHandshakes(limit: 1))
        #expect(second.seesClose())
        silent.socket.shutdown()   // its handshake fails at act one and frees the slot
        #expect(try #require(node.rejections.take()).reason == .handshakeFailed(.wrongLength(act: 1, expected: 50, got: 0)))
        try node.expectStillServing()
    }

    @Test("dialing a node under the wrong key fails the handshake")
    func wrongKey() throws {
        let node = try TestNode()
        let wrong = NodeAddress(publicKey: Secp256k1.PrivateKey.generate().publicKey, host: "127.0.0.1", port: node.port)
        do {
            _ = try PeerConnection.connect(to: wrong, localKey: .generate())
            Issue.record("connected to a node under a key it does not hold")
        } catch {
            guard case .handshakeFailed = error else { Issue.record("unexpected \(error)"); return }
        }
        #expect(try #require(node.rejections.take()).reason == .handshakeFailed(.authenticationFailed(act: 1)))
        try node.expectStillServing()
    }

    @Test("dialing a port where nobody listens fails with a connect error")
    func nobodyListening() throws {
        let port: UInt16 = try {
            let s = try Socket.listen(host: "127.0.0.1", port: 0)
            return s.localPort   // closed again when s goes away
        }()
        let address = NodeAddress(publicKey: Secp256k1.PrivateKey.generate().publicKey, host: "127.0.0.1", port: port)
        do {
            _ = try PeerConnection.connect(to: address, localKey: .generate())
            Issue.record("connected to a closed port")
        } catch {
            guard case .connectFailed = error else { Issue.record("unexpected \(error)"); return }
            #expect(error.description.contains("127.0.0.1"))
        }
    }

    @Test("a peer that stops reading fills the bounded send queue; send then refuses without closing")
    func sendQueueBound() throws {
        let limits = PeerLimits(maxMessageBytes: 1 << 20, maxQueuedSendBytes: 1 << 20)
        let node = try TestNode()
        let (client, server) = try node.connectAllowedClient(limits: limits)
        // The server never reads: kernel buffers fill, then the writer blocks, then the queue.
        var refusal: PeerConnectionError?
        for _ in 0..<2000 {
            do { try client.send(pattern(256 << 10)) } catch { refusal = error; break }
        }
        guard case let .sendQueueFull(queued, limit) = refusal else {
            Issue.record("expected sendQueueFull, got \(String(describing: refusal))")
            return
        }
        #expect(limit == 1 << 20 && queued <= limit)
        #expect(client.queuedSendBytes <= limit)
        #expect(client.closeReason == nil)
        #expect(throws: PeerConnectionError.messageTooLarge(length: (1 << 20) + 1, limit: 1 << 20)) {
            try client.send(pattern((1 << 20) + 1))
        }
        // Once the peer reads again, the queue drains and messages flow.
        #expect(receivedMessage(server)?.count == 256 << 10)
        client.close()
        server.close()
    }

    @Test("close() wakes a blocked receive with .closed; the peer sees .closedByPeer")
    func closing() throws {
        let node = try TestNode()
        let (client, server) = try node.connectAllowedClient()
        let result = Inbox<Result<[UInt8], PeerConnectionError>>()
        Thread { result.put(Result { () throws(PeerConnectionError) in try server.receive() }) }.start()
        server.close()
        guard case .failure(.closed)? = result.take() else { Issue.record("receive did not end with .closed"); return }
        #expect(receiveError(client) == .closedByPeer)
        #expect(throws: PeerConnectionError.closedByPeer) { try client.send([1]) }
        #expect(client.closeReason?.isMisbehaviour == false)
    }
}
