import QuorateCrypto

/// The BOLT 8 handshake (Noise_XK_secp256k1_ChaChaPoly_SHA256) as a value-type state machine
/// without I/O: each method takes the bytes of one act and returns the bytes to send.
///
/// Initiator: `makeActOne()` -> send 50 bytes; `readActTwo(_:)` with the 50 bytes received ->
/// send the 66-byte act three; the handshake is then complete. Responder: `readActOne(_:)` ->
/// send the 50-byte act two; `readActThree(_:)` -> complete, and the initiator's static key is
/// known for the first time (XK hides it until act three), so the allowlist check goes there.
///
/// Every act must be given whole (exactly its length); the socket layer reads exactly that many
/// bytes, so nothing after act three (the first application frame) is ever read before the
/// allowlist decision. A thrown error leaves the handshake failed: drop the connection.
public struct NoiseHandshake: Sendable {
    /// Kept as BOLT 8 has them, so that the published vectors are our oracle. A Quorate-specific
    /// prologue (binding a chain id) could later keep separate networks apart; see docs/network.md.
    public static let protocolName = "Noise_XK_secp256k1_ChaChaPoly_SHA256"
    public static let prologue = "lightning"
    /// The only handshake version BOLT 8 defines; any other leading byte fails the act.
    public static let version: UInt8 = 0
    public static let actOneLength = 50
    public static let actTwoLength = 50
    public static let actThreeLength = 66

    public enum Role: Sendable { case initiator, responder }

    /// A completed handshake: who the peer is, and the keys of the session.
    public struct Outcome: Sendable {
        public let remoteStaticKey: Secp256k1.PublicKey
        let sendingKey: [UInt8]
        let receivingKey: [UInt8]
        let chainingKey: [UInt8]

        /// The session's transport; `maxMessageBytes` bounds what it accepts from the peer
        /// and what it will send.
        public func makeTransport(maxMessageBytes: Int = MessageFraming.maxMessageBytes) -> NoiseTransport {
            NoiseTransport(sendingKey: sendingKey, receivingKey: receivingKey, chainingKey: chainingKey,
                           maxMessageBytes: maxMessageBytes)
        }
    }

    private enum Step: Sendable {
        case initiatorStart, initiatorAwaitingActTwo
        case responderAwaitingActOne, responderAwaitingActThree
        case complete, failed
    }

    public let role: Role
    private let localStatic: Secp256k1.PrivateKey
    private let ephemeral: Secp256k1.PrivateKey
    /// Initiator: the key it dialed, known from the start. Responder: learned at act three.
    private var remoteStatic: Secp256k1.PublicKey?
    private var remoteEphemeral: Secp256k1.PublicKey?
    private var h: [UInt8]
    private var ck: [UInt8]
    /// temp_k2 encrypts the initiator's static key in act three.
    private var tempK2: [UInt8] = []
    private var step: Step

    /// `ephemeralKey` is injectable so that tests can replay the published vectors; leave the
    /// default in production (a reused ephemeral key would break the handshake's secrecy).
    public static func initiator(localKey: Secp256k1.PrivateKey, remoteKey: Secp256k1.PublicKey,
                                 ephemeralKey: Secp256k1.PrivateKey = .generate()) -> NoiseHandshake {
        NoiseHandshake(role: .initiator, localStatic: localKey, ephemeral: ephemeralKey,
                       responderStatic: remoteKey, remoteStatic: remoteKey)
    }

    public static func responder(localKey: Secp256k1.PrivateKey,
                                 ephemeralKey: Secp256k1.PrivateKey = .generate()) -> NoiseHandshake {
        NoiseHandshake(role: .responder, localStatic: localKey, ephemeral: ephemeralKey,
                       responderStatic: localKey.publicKey, remoteStatic: nil)
    }

    /// Handshake state initialization, identical on both sides: both know the responder's key.
    private init(role: Role, localStatic: Secp256k1.PrivateKey, ephemeral: Secp256k1.PrivateKey,
                 responderStatic: Secp256k1.PublicKey, remoteStatic: Secp256k1.PublicKey?) {
        self.role = role
        self.localStatic = localStatic
        self.ephemeral = ephemeral
        self.remoteStatic = remoteStatic
        h = SHA256.hash(Array(Self.protocolName.utf8))
        ck = h
        h = SHA256.hash(h + Array(Self.prologue.utf8))
        h = SHA256.hash(h + responderStatic.compressed)
        step = role == .initiator ? .initiatorStart : .responderAwaitingActOne
    }

    public var isComplete: Bool { step == .complete }

    // MARK: Initiator

    /// Act one, initiator -> responder: `version || e.pub || MAC` (50 bytes).
    public mutating func makeActOne() -> [UInt8] {
        guard step == .initiatorStart else { preconditionFailure("makeActOne called in step \(step)") }
        let remote = remoteStatic!
        mixHash(ephemeral.publicKey.compressed)
        let (nextCK, tempK1) = NoisePrimitives.hkdf(salt: ck, inputKeyMaterial: ecdh(ephemeral, remote))
        ck = nextCK
        let c = NoisePrimitives.encryptWithAD(key: tempK1, nonce: 0, ad: h, plaintext: [])
        mixHash(c)
        step = .initiatorAwaitingActTwo
        return [Self.version] + ephemeral.publicKey.compressed + c
    }

    /// Reads act two and answers with act three (66 bytes): `version || encrypted s.pub || MAC`.
    /// The handshake is complete when this returns; send act three before any message.
    public mutating func readActTwo(_ act: [UInt8]) throws(NoiseHandshakeError) -> (actThree: [UInt8], outcome: Outcome) {
        guard step == .initiatorAwaitingActTwo else { preconditionFailure("readActTwo called in step \(step)") }
        step = .failed
        // ee: our ephemeral with theirs.
        try readEphemeralAct(act, number: 2, expectedLength: Self.actTwoLength, ourKey: ephemeral)

        let c = NoisePrimitives.encryptWithAD(key: tempK2, nonce: 1, ad: h, plaintext: localStatic.publicKey.compressed)
        mixHash(c)
        let (nextCK, tempK3) = NoisePrimitives.hkdf(salt: ck, inputKeyMaterial: ecdh(localStatic, remoteEphemeral!))
        ck = nextCK
        let t = NoisePrimitives.encryptWithAD(key: tempK3, nonce: 0, ad: h, plaintext: [])
        let (sk, rk) = NoisePrimitives.hkdf(salt: ck, inputKeyMaterial: [])
        step = .complete
        let outcome = Outcome(remoteStaticKey: remoteStatic!, sendingKey: sk, receivingKey: rk, chainingKey: ck)
        return ([Self.version] + c + t, outcome)
    }

    // MARK: Responder

    /// Reads act one and answers with act two (50 bytes): `version || e.pub || MAC`.
    public mutating func readActOne(_ act: [UInt8]) throws(NoiseHandshakeError) -> [UInt8] {
        guard step == .responderAwaitingActOne else { preconditionFailure("readActOne called in step \(step)") }
        step = .failed
        // es: our static with their ephemeral.
        try readEphemeralAct(act, number: 1, expectedLength: Self.actOneLength, ourKey: localStatic)

        mixHash(ephemeral.publicKey.compressed)
        let (nextCK, k2) = NoisePrimitives.hkdf(salt: ck, inputKeyMaterial: ecdh(ephemeral, remoteEphemeral!))
        ck = nextCK
        tempK2 = k2
        let c = NoisePrimitives.encryptWithAD(key: tempK2, nonce: 0, ad: h, plaintext: [])
        mixHash(c)
        step = .responderAwaitingActThree
        return [Self.version] + ephemeral.publicKey.compressed + c
    }

    /// Reads act three; on return the initiator is authenticated as `outcome.remoteStaticKey`.
    public mutating func readActThree(_ act: [UInt8]) throws(NoiseHandshakeError) -> Outcome {
        guard step == .responderAwaitingActThree else { preconditionFailure("readActThree called in step \(step)") }
        step = .failed
        guard act.count == Self.actThreeLength else {
            throw .wrongLength(act: 3, expected: Self.actThreeLength, got: act.count)
        }
        guard act[0] == Self.version else { throw .unsupportedVersion(act: 3, version: act[0]) }
        let c = Array(act[1..<50])
        let t = Array(act[50..<66])
        guard let staticBytes = NoisePrimitives.decryptWithAD(key: tempK2, nonce: 1, ad: h, ciphertext: c) else {
            throw .staticKeyNotAuthenticated
        }
        guard let remote = try? Secp256k1.PublicKey(bytes: staticBytes) else { throw .invalidStaticKey }
        mixHash(c)
        let (nextCK, tempK3) = NoisePrimitives.hkdf(salt: ck, inputKeyMaterial: ecdh(ephemeral, remote))
        ck = nextCK
        guard NoisePrimitives.decryptWithAD(key: tempK3, nonce: 0, ad: h, ciphertext: t) != nil else {
            throw .authenticationFailed(act: 3)
        }
        let (rk, sk) = NoisePrimitives.hkdf(salt: ck, inputKeyMaterial: [])
        remoteStatic = remote
        step = .complete
        return Outcome(remoteStaticKey: remote, sendingKey: sk, receivingKey: rk, chainingKey: ck)
    }

    // MARK: Shared steps

    /// Acts one and two have the same shape: `version || e.pub (33) || MAC (16)`. Checks them in
    /// BOLT 8's order (length, version, key, MAC), mixing into h and ck as it goes.
    private mutating func readEphemeralAct(_ act: [UInt8], number: Int, expectedLength: Int,
                                           ourKey: Secp256k1.PrivateKey) throws(NoiseHandshakeError) {
        guard act.count == expectedLength else { throw .wrongLength(act: number, expected: expectedLength, got: act.count) }
        guard act[0] == Self.version else { throw .unsupportedVersion(act: number, version: act[0]) }
        let keyBytes = Array(act[1..<34])
        guard let re = try? Secp256k1.PublicKey(bytes: keyBytes) else { throw .invalidEphemeralKey(act: number) }
        let c = Array(act[34..<50])
        mixHash(keyBytes)
        let (nextCK, tempK) = NoisePrimitives.hkdf(salt: ck, inputKeyMaterial: ecdh(ourKey, re))
        ck = nextCK
        guard NoisePrimitives.decryptWithAD(key: tempK, nonce: 0, ad: h, ciphertext: c) != nil else {
            throw .authenticationFailed(act: number)
        }
        mixHash(c)
        remoteEphemeral = re
        if number == 2 { tempK2 = tempK }
    }

    private mutating func mixHash(_ data: [UInt8]) {
        h = SHA256.hash(h + data)
    }

    /// Both keys are valid by construction (parsed public key, checked private key), so
    /// libsecp256k1 cannot refuse them.
    private func ecdh(_ key: Secp256k1.PrivateKey, _ peer: Secp256k1.PublicKey) -> [UInt8] {
        do { return try key.sharedSecret(with: peer) } catch { preconditionFailure("ECDH on valid keys failed: \(error)") }
    }
}
