import QuorateTestSupport
import Testing
import QuorateCrypto
@testable import QuorateP2P

/// The 15 handshake cases of BOLT 8 Appendix A, replayed act by act with the fixed ephemeral keys.
@Suite struct NoiseHandshakeVectorTests {
    @Test("the vectors file holds 5 initiator cases, 10 responder cases and the message test")
    func vectorCounts() {
        #expect(BOLT8Vectors.initiatorCases.count == 5)
        #expect(BOLT8Vectors.responderCases.count == 10)
        #expect(BOLT8Vectors.messageCase.field("output 1001") != nil)
    }

    @Test("BOLT 8 initiator vector", arguments: BOLT8Vectors.initiatorCases)
    func initiator(_ vector: BOLT8Vectors.Case) throws {
        let local = try Secp256k1.PrivateKey(bytes: vector.bytes("ls.priv"))
        let ephemeral = try Secp256k1.PrivateKey(bytes: vector.bytes("e.priv"))
        #expect(local.publicKey.compressed == vector.bytes("ls.pub"))
        #expect(ephemeral.publicKey.compressed == vector.bytes("e.pub"))
        let remote = try Secp256k1.PublicKey(bytes: vector.bytes("rs.pub"))
        var handshake = NoiseHandshake.initiator(localKey: local, remoteKey: remote, ephemeralKey: ephemeral)

        // Output act one, input act two, then act three and the session keys, or an error.
        let steps = vector.steps
        try #require(steps.count >= 3)
        #expect(steps[0].key == "output" && steps[1].key == "input" && steps[2].key == "output")
        #expect(handshake.makeActOne() == hex(steps[0].value))
        let actTwo = hex(steps[1].value)
        if let expectedError = errorCode(steps[2].value) {
            do {
                _ = try handshake.readActTwo(actTwo)
                Issue.record("act two was accepted; expected \(expectedError)")
            } catch {
                #expect(boltCode(error, input: actTwo) == expectedError)
            }
            #expect(!handshake.isComplete)
            return
        }
        let (actThree, outcome) = try handshake.readActTwo(actTwo)
        #expect(actThree == hex(steps[2].value))
        try #require(steps.count == 4)
        let keys = sessionKeys(steps[3].value, prefix: "sk,rk")
        #expect(outcome.sendingKey == keys.0)
        #expect(outcome.receivingKey == keys.1)
        #expect(outcome.remoteStaticKey == remote)
        #expect(handshake.isComplete)
    }

    @Test("BOLT 8 responder vector", arguments: BOLT8Vectors.responderCases)
    func responder(_ vector: BOLT8Vectors.Case) throws {
        let local = try Secp256k1.PrivateKey(bytes: vector.bytes("ls.priv"))
        let ephemeral = try Secp256k1.PrivateKey(bytes: vector.bytes("e.priv"))
        #expect(local.publicKey.compressed == vector.bytes("ls.pub"))
        #expect(ephemeral.publicKey.compressed == vector.bytes("e.pub"))
        var handshake = NoiseHandshake.responder(localKey: local, ephemeralKey: ephemeral)
        let steps = vector.steps

        try #require(steps.count >= 2)
        #expect(steps[0].key == "input" && steps[1].key == "output")
        let actOne = hex(steps[0].value)
        if let expectedError = errorCode(steps[1].value) {
            do {
                _ = try handshake.readActOne(actOne)
                Issue.record("act one was accepted; expected \(expectedError)")
            } catch {
                #expect(boltCode(error, input: actOne) == expectedError)
            }
            #expect(steps.count == 2)
            return
        }
        #expect(try handshake.readActOne(actOne) == hex(steps[1].value))

        try #require(steps.count == 4)
        #expect(steps[2].key == "input" && steps[3].key == "output")
        let actThree = hex(steps[2].value)
        if let expectedError = errorCode(steps[3].value) {
            do {
                _ = try handshake.readActThree(actThree)
                Issue.record("act three was accepted; expected \(expectedError)")
            } catch {
                #expect(boltCode(error, input: actThree) == expectedError)
            }
            #expect(!handshake.isComplete)
            return
        }
        let outcome = try handshake.readActThree(actThree)
        let keys = sessionKeys(steps[3].value, prefix: "rk,sk")
        #expect(outcome.receivingKey == keys.0)
        #expect(outcome.sendingKey == keys.1)
        // The static key of the initiator vectors (ls.pub there), learned only at act three.
        #expect(outcome.remoteStaticKey.compressed == hex("034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa"))
        #expect(handshake.isComplete)
    }

    @Test("initiator and responder with fresh keys agree on the session keys and learn each other's key")
    func freshKeys() throws {
        let initiatorKey = Secp256k1.PrivateKey.generate()
        let responderKey = Secp256k1.PrivateKey.generate()
        var initiator = NoiseHandshake.initiator(localKey: initiatorKey, remoteKey: responderKey.publicKey)
        var responder = NoiseHandshake.responder(localKey: responderKey)
        let actTwo = try responder.readActOne(initiator.makeActOne())
        let (actThree, initiatorOutcome) = try initiator.readActTwo(actTwo)
        let responderOutcome = try responder.readActThree(actThree)
        #expect(initiatorOutcome.sendingKey == responderOutcome.receivingKey)
        #expect(initiatorOutcome.receivingKey == responderOutcome.sendingKey)
        #expect(initiatorOutcome.chainingKey == responderOutcome.chainingKey)
        #expect(responderOutcome.remoteStaticKey == initiatorKey.publicKey)
        #expect(initiatorOutcome.remoteStaticKey == responderKey.publicKey)
    }

    @Test("a responder that does not hold the dialed key cannot read act one")
    func wrongResponder() {
        var initiator = NoiseHandshake.initiator(localKey: .generate(), remoteKey: Secp256k1.PrivateKey.generate().publicKey)
        var impostor = NoiseHandshake.responder(localKey: .generate())
        let actOne = initiator.makeActOne()
        #expect(throws: NoiseHandshakeError.authenticationFailed(act: 1)) { _ = try impostor.readActOne(actOne) }
    }

    /// "ERROR (ACT2_BAD_VERSION 1)" -> "ACT2_BAD_VERSION"; nil for a hex output.
    private func errorCode(_ value: String) -> String? {
        guard value.hasPrefix("ERROR (") else { return nil }
        return String(value.dropFirst(7).prefix { $0 != " " && $0 != ")" })
    }

    /// Our error in the spec's vocabulary; a version error must report the input's version byte.
    private func boltCode(_ error: any Error, input: [UInt8]) -> String {
        guard let error = error as? NoiseHandshakeError else { return "not a NoiseHandshakeError: \(error)" }
        switch error {
        case let .wrongLength(act, _, _): return "ACT\(act)_READ_FAILED"
        case let .unsupportedVersion(act, version):
            return version == input[0] ? "ACT\(act)_BAD_VERSION" : "wrong version \(version) reported"
        case let .invalidEphemeralKey(act): return "ACT\(act)_BAD_PUBKEY"
        case .invalidStaticKey: return "ACT3_BAD_PUBKEY"
        case .staticKeyNotAuthenticated: return "ACT3_BAD_CIPHERTEXT"
        case let .authenticationFailed(act): return "ACT\(act)_BAD_TAG"
        }
    }

    /// "sk,rk=0x..,0x.." (the parser splits at the first ":", so the value keeps its "=").
    private func sessionKeys(_ value: String, prefix: String) -> ([UInt8], [UInt8]) {
        precondition(value.hasPrefix(prefix + "="), "unexpected key line \(value)")
        let pair = value.dropFirst(prefix.count + 1).split(separator: ",")
        return (hex(String(pair[0])), hex(String(pair[1])))
    }
}
