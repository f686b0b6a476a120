import QuorateTestSupport
import Testing
import QuorateCrypto
@testable import QuorateP2P

/// BOLT 8 Appendix A "transport-message test": 1001 encryptions of "hello" from the completed
/// handshake's keys; outputs 0, 1, 500, 501, 1000 and 1001 straddle two key rotations.
@Suite struct NoiseTransportVectorTests {
    let vector = BOLT8Vectors.messageCase

    @Test("BOLT 8 message encryption: outputs 0, 1, 500, 501, 1000, 1001 across two key rotations")
    func messageVector() throws {
        var sender = NoiseTransport(sendingKey: vector.bytes("sk"), receivingKey: vector.bytes("rk"),
                                    chainingKey: vector.bytes("ck"), maxMessageBytes: 1 << 20).sender
        // The peer's receiver uses our sending key.
        var receiver = NoiseTransport(sendingKey: vector.bytes("rk"), receivingKey: vector.bytes("sk"),
                                      chainingKey: vector.bytes("ck"), maxMessageBytes: 1 << 20).receiver
        let hello = Array("hello".utf8)
        let checked = [0, 1, 500, 501, 1000, 1001]
        var compared = 0
        for i in 0...1001 {
            let frame = sender.sealFrame(hello)
            if checked.contains(i) {
                #expect(frame == vector.bytes("output \(i)"), "output \(i)")
                compared += 1
            }
            receiver.append(frame)
            #expect(try receiver.nextFrame() == hello)
        }
        #expect(compared == checked.count)
        // 1002 messages, 2004 nonces: rotated at 1000 and 2000, four uses into the third key.
        #expect(sender.cipher.nonce == 4)
        #expect(receiver.cipher.nonce == 4)
        #expect(receiver.cipher.key == sender.cipher.key)
    }

    @Test("key rotation follows BOLT 8: ck', k' = HKDF(ck, k) after 1000 uses of a key")
    func rotationValues() {
        var cipher = NoiseCipherState(key: vector.bytes("sk"), chainingKey: vector.bytes("ck"))
        for _ in 0..<999 { _ = cipher.encrypt([]) }
        #expect(cipher.key == vector.bytes("sk"))
        _ = cipher.encrypt([])
        // The spec's commentary line for the first rotation.
        #expect(cipher.chainingKey == hex("0xcc2c6e467efc8067720c2d09c139d1f77731893aad1defa14f9bf3c48d3f1d31"))
        #expect(cipher.key == hex("0x3fbdc101abd1132ca3a0ae34a669d8d9ba69a587e0bb4ddd59524541cf4813d8"))
        #expect(cipher.nonce == 0)
    }
}
