import Testing
import QuorateCrypto
@testable import QuorateP2P

/// Quorate's framing of messages larger than one BOLT 8 frame, over a real session's keys.
@Suite struct MessageFramingTests {
    /// A connected pair of transports from a real handshake, each side limited to `limit`.
    static func pair(limit: Int = MessageFraming.maxMessageBytes) throws -> (NoiseTransport, NoiseTransport) {
        try pairWithLimits(sender: limit, receiver: limit)
    }

    static func pattern(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) } }

    @Test("messages of every size around the frame boundaries round-trip; the wire size is as computed",
          arguments: [0, 1, 65526, 65527, 65528, 65535, 65536, 2 * 65527, 2 * 65527 + 1, 5 << 20])
    func roundTrip(size: Int) throws {
        var (a, b) = try Self.pair()
        let message = Self.pattern(size)
        let wire = try a.seal(message)
        #expect(wire.count == MessageFraming.wireSize(forLength: size))
        #expect(try b.open(wire) == [message])
        #expect(b.receiver.bufferedByteCount == 0)
    }

    @Test("bytes fed in any chunking give the same messages, each as soon as it is complete")
    func incremental() throws {
        var (a, b) = try Self.pair()
        let messages = [Self.pattern(3), [], Self.pattern(70_000), Self.pattern(65527)]
        var wire: [UInt8] = []
        for m in messages { wire += try a.seal(m) }
        var received: [[UInt8]] = []
        var position = 0
        var step = 1
        while position < wire.count {
            let end = min(position + step, wire.count)
            received += try b.open(Array(wire[position..<end]))
            position = end
            step = step * 3 % 9_973 + 1   // uneven chunk sizes, from 1 byte up
        }
        #expect(received == messages)
    }

    @Test("the sender refuses a message above its limit and nothing is consumed from the session")
    func senderLimit() throws {
        var (a, b) = try Self.pair(limit: 100_000)
        #expect(throws: NoiseTransportError.messageTooLarge(length: 100_001, limit: 100_000)) {
            _ = try a.seal(Self.pattern(100_001))
        }
        #expect(try b.open(a.seal(Self.pattern(100_000))) == [Self.pattern(100_000)])
    }

    @Test("a receiver refuses a message announced above its limit at the first part, before buffering it")
    func receiverLimit() throws {
        var (big, limited) = try Self.pairWithLimits(sender: 1 << 20, receiver: 1000)
        let wire = try big.seal(Self.pattern(200_000))
        // Only the first frame is given: the refusal does not wait for the rest.
        let firstFrame = Array(wire.prefix(18 + 65535 + 16))
        #expect(throws: NoiseTransportError.messageTooLarge(length: 200_000, limit: 1000)) { _ = try limited.open(firstFrame) }
        #expect(limited.receiver.bufferedByteCount == 0)
        // The failure is final: the session cannot resynchronise.
        #expect(throws: NoiseTransportError.messageTooLarge(length: 200_000, limit: 1000)) { _ = try limited.open([]) }
    }

    @Test("a flipped bit in a frame's length or body fails authentication, and stays failed")
    func badMAC() throws {
        for position in [0, 17, 18, 30, 60] {
            var (a, b) = try Self.pair()
            var wire = try a.seal(Self.pattern(30))
            wire[position] ^= 1
            let part = position < 18 ? "length" : "body"
            #expect(throws: NoiseTransportError.authenticationFailed(part: part)) { _ = try b.open(wire) }
            #expect(throws: NoiseTransportError.authenticationFailed(part: part)) { _ = try b.open(try a.seal([1])) }
        }
    }

    @Test("authenticated frames whose part headers break the framing are refused", arguments: [
        // (header fields total, index, count, chunk length) of a lone first frame
        FramingCase(total: 10, index: 1, count: 1, chunk: 10),          // does not start at part 0
        FramingCase(total: 10, index: 0, count: 2, chunk: 10),          // wrong part count
        FramingCase(total: 10, index: 0, count: 1, chunk: 9),           // short chunk
        FramingCase(total: 70_000, index: 0, count: 2, chunk: 100),     // first part not full
        FramingCase(total: 0, index: 0, count: 0, chunk: 0),            // zero parts
    ])
    func malformedHeaders(_ c: FramingCase) throws {
        var (a, b) = try Self.pair()
        let payload = MessageFraming.header(total: c.total, index: c.index, count: max(c.count, c.index + 1)) + Self.pattern(c.chunk)
        var frame = payload
        if c.count == 0 { frame[6] = 0; frame[7] = 0 }
        let wire = a.sender.sealFrame(frame)
        #expect(throws: NoiseTransportError.self) { _ = try b.open(wire) }
    }

    @Test("a frame shorter than the part header is refused")
    func shortPayload() throws {
        var (a, b) = try Self.pair()
        #expect(throws: NoiseTransportError.self) { _ = try b.open(a.sender.sealFrame([0, 0, 0])) }
    }

    @Test("a continuation frame that does not continue the message in progress is refused")
    func brokenContinuation() throws {
        var (a, b) = try Self.pair()
        let first = MessageFraming.header(total: 70_000, index: 0, count: 2) + Self.pattern(MessageFraming.chunkCapacity)
        let wrongTotal = MessageFraming.header(total: 69_999, index: 1, count: 2) + Self.pattern(69_999 - MessageFraming.chunkCapacity)
        #expect(try b.open(a.sender.sealFrame(first)) == [])
        #expect(throws: NoiseTransportError.self) { _ = try b.open(a.sender.sealFrame(wrongTotal)) }
    }

    /// `sender` limits the initiator's transport, `receiver` the responder's.
    static func pairWithLimits(sender: Int, receiver: Int) throws -> (NoiseTransport, NoiseTransport) {
        let a = Secp256k1.PrivateKey.generate(), b = Secp256k1.PrivateKey.generate()
        var initiator = NoiseHandshake.initiator(localKey: a, remoteKey: b.publicKey)
        var responder = NoiseHandshake.responder(localKey: b)
        let (actThree, first) = try initiator.readActTwo(responder.readActOne(initiator.makeActOne()))
        let second = try responder.readActThree(actThree)
        return (first.makeTransport(maxMessageBytes: sender), second.makeTransport(maxMessageBytes: receiver))
    }
}

struct FramingCase: Sendable, CustomTestStringConvertible {
    let total: Int, index: Int, count: Int, chunk: Int
    var testDescription: String { "total \(total), part \(index) of \(count), chunk \(chunk)" }
}
