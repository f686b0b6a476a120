import QuorateCrypto

extension PeerConnection {
    /// Dials `address` and runs the handshake as initiator, all within `limits.handshakeTimeout`.
    ///
    /// The peer is authenticated by construction: act two only authenticates if the responder
    /// holds the private key of `address.publicKey` (Noise XK), so a successful return means
    /// we talk to the node we dialed. Whether that node is one we want is the caller's
    /// decision before dialing (it dials configured peers only).
    public static func connect(to address: NodeAddress, localKey: Secp256k1.PrivateKey,
                               limits: PeerLimits = .default,
                               clock: any NetworkClock = .monotonic) throws(PeerConnectionError) -> PeerConnection {
        let start = clock.now
        let deadline = start + limits.handshakeTimeout
        let connectDeadline = min(deadline, start + limits.connectTimeout)
        let socket: Socket
        do {
            socket = try Socket.connect(host: address.host, port: address.port, deadline: connectDeadline, clock: clock)
        } catch {
            switch error {
            case .timedOut:
                throw .connectFailed(address: address.hostAndPort,
                                     reason: "no answer within \(Network.seconds(limits.connectTimeout)) (PeerLimits.connectTimeout)")
            case let .system(reason): throw .connectFailed(address: address.hostAndPort, reason: reason)
            }
        }
        var handshake = NoiseHandshake.initiator(localKey: localKey, remoteKey: address.publicKey)
        let actOne = handshake.makeActOne()
        try step(limits) { () throws(SocketFailure) in try socket.writeAll(actOne, deadline: deadline, clock: clock) }
        let actTwo = try step(limits) { () throws(SocketFailure) in
            try socket.read(exactly: NoiseHandshake.actTwoLength, deadline: deadline, clock: clock)
        }
        let (actThree, outcome) = try handshakeStep { () throws(NoiseHandshakeError) in try handshake.readActTwo(actTwo) }
        try step(limits) { () throws(SocketFailure) in try socket.writeAll(actThree, deadline: deadline, clock: clock) }
        precondition(outcome.remoteStaticKey == address.publicKey, "XK authenticated a key other than the one dialed")
        return PeerConnection(socket: socket, outcome: outcome, direction: .outbound,
                              remoteAddress: address.hostAndPort, limits: limits, clock: clock)
    }

    /// Runs the responder's handshake on an accepted socket, then the allowlist check.
    ///
    /// The initiator's key is first known after act three; a key that `isAllowed` refuses is
    /// dropped right there, before a single byte after act three is read. (Reads during the
    /// handshake take exactly each act's length, so nothing the initiator sent after act three
    /// has been read either.)
    static func accept(socket: Socket, remoteAddress: String, localKey: Secp256k1.PrivateKey, limits: PeerLimits,
                       clock: any NetworkClock = .monotonic,
                       isAllowed: (Secp256k1.PublicKey) -> Bool) throws(PeerConnectionError) -> PeerConnection {
        let deadline = clock.now + limits.handshakeTimeout
        var handshake = NoiseHandshake.responder(localKey: localKey)
        let actOne = try step(limits) { () throws(SocketFailure) in
            try socket.read(exactly: NoiseHandshake.actOneLength, deadline: deadline, clock: clock)
        }
        let actTwo = try handshakeStep { () throws(NoiseHandshakeError) in try handshake.readActOne(actOne) }
        try step(limits) { () throws(SocketFailure) in try socket.writeAll(actTwo, deadline: deadline, clock: clock) }
        let actThree = try step(limits) { () throws(SocketFailure) in
            try socket.read(exactly: NoiseHandshake.actThreeLength, deadline: deadline, clock: clock)
        }
        let outcome = try handshakeStep { () throws(NoiseHandshakeError) in try handshake.readActThree(actThree) }
        guard isAllowed(outcome.remoteStaticKey) else {
            socket.shutdown()
            throw .notAllowed(outcome.remoteStaticKey)
        }
        return PeerConnection(socket: socket, outcome: outcome, direction: .inbound,
                              remoteAddress: remoteAddress, limits: limits, clock: clock)
    }

    private static func step<T>(_ limits: PeerLimits, _ body: () throws(SocketFailure) -> T) throws(PeerConnectionError) -> T {
        do {
            return try body()
        } catch {
            switch error {
            case .timedOut: throw .handshakeTimedOut(limits.handshakeTimeout)
            case let .system(reason): throw .io(reason)
            }
        }
    }

    private static func handshakeStep<T>(_ body: () throws(NoiseHandshakeError) -> T) throws(PeerConnectionError) -> T {
        do { return try body() } catch { throw .handshakeFailed(error) }
    }
}
