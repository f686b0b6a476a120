/// Why a handshake failed. All are caused by the peer (or by someone on the path); the
/// connection must be dropped. Names follow BOLT 8's failure points.
public enum NoiseHandshakeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The act was shorter (or longer) than its fixed size: the peer closed early or is not
    /// speaking BOLT 8.
    case wrongLength(act: Int, expected: Int, got: Int)
    /// The act's first byte was not 0, the only version BOLT 8 defines.
    case unsupportedVersion(act: Int, version: UInt8)
    /// The ephemeral key in act one or two is not a valid compressed secp256k1 point.
    case invalidEphemeralKey(act: Int)
    /// Act three's encrypted static key did not authenticate (its first MAC).
    case staticKeyNotAuthenticated
    /// Act three's decrypted static key is not a valid compressed secp256k1 point.
    case invalidStaticKey
    /// The act's MAC did not authenticate. In act two this is what an initiator sees when the
    /// responder does not hold the private key of the public key it dialed.
    case authenticationFailed(act: Int)

    public var description: String {
        switch self {
        case let .wrongLength(act, expected, got):
            return "handshake act \(act) must be \(expected) bytes, got \(got): the peer closed the connection or does not speak BOLT 8"
        case let .unsupportedVersion(act, version):
            return "handshake act \(act) has version \(version); only version 0 (BOLT 8) is supported"
        case let .invalidEphemeralKey(act):
            return "handshake act \(act) carries an invalid ephemeral public key"
        case .staticKeyNotAuthenticated:
            return "handshake act 3: the initiator's encrypted static key failed authentication"
        case .invalidStaticKey:
            return "handshake act 3: the initiator's static key is not a valid compressed secp256k1 public key"
        case let .authenticationFailed(act) where act == 2:
            return "handshake act 2 failed authentication: the peer does not hold the node key that was dialed (check the pubkey in pubkey@host:port)"
        case let .authenticationFailed(act):
            return "handshake act \(act) failed authentication (MAC mismatch)"
        }
    }
}
