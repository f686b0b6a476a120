/// An established BOLT 8 session without I/O: `seal` turns a message into bytes for the wire,
/// `receiver` turns bytes from the wire back into messages, in any chunking.
///
/// The two directions are independent (own key, nonce and chaining key), so a connection can
/// split them between a writing and a reading thread (`sender`, `receiver`).
public struct NoiseTransport: Sendable {
    public var sender: Sender
    public var receiver: Receiver

    init(sendingKey: [UInt8], receivingKey: [UInt8], chainingKey: [UInt8], maxMessageBytes: Int) {
        sender = Sender(cipher: NoiseCipherState(key: sendingKey, chainingKey: chainingKey),
                        maxMessageBytes: maxMessageBytes)
        receiver = Receiver(cipher: NoiseCipherState(key: receivingKey, chainingKey: chainingKey),
                            maxMessageBytes: maxMessageBytes)
    }

    public mutating func seal(_ message: [UInt8]) throws(NoiseTransportError) -> [UInt8] {
        try sender.seal(message)
    }

    /// Buffers `bytes` and returns every message they complete.
    public mutating func open(_ bytes: [UInt8]) throws(NoiseTransportError) -> [[UInt8]] {
        try receiver.feed(bytes)
    }

    /// The sending direction.
    public struct Sender: Sendable {
        var cipher: NoiseCipherState
        public let maxMessageBytes: Int

        init(cipher: NoiseCipherState, maxMessageBytes: Int) {
            precondition(maxMessageBytes >= 0 && maxMessageBytes <= MessageFraming.maxMessageBytes,
                         "maxMessageBytes must be 0...\(MessageFraming.maxMessageBytes)")
            self.cipher = cipher
            self.maxMessageBytes = maxMessageBytes
        }

        /// The message's frames, ready to write; `MessageFraming.wireSize(forLength:)` bytes.
        public mutating func seal(_ message: [UInt8]) throws(NoiseTransportError) -> [UInt8] {
            guard message.count <= maxMessageBytes else {
                throw .messageTooLarge(length: message.count, limit: maxMessageBytes)
            }
            var out: [UInt8] = []
            out.reserveCapacity(MessageFraming.wireSize(forLength: message.count))
            for part in MessageFraming.parts(of: message) { out += sealFrame(part) }
            return out
        }

        /// One BOLT 8 frame: `encrypt(len) || encrypt(payload)`, with the nonce advancing (and
        /// the key rotating every 1000 uses) as BOLT 8 says.
        mutating func sealFrame(_ payload: [UInt8]) -> [UInt8] {
            precondition(payload.count <= MessageFraming.maxFramePayload, "BOLT 8 frame payload above 65535 bytes")
            let length = UInt16(payload.count)
            return cipher.encrypt([UInt8(length >> 8), UInt8(length & 0xff)]) + cipher.encrypt(payload)
        }
    }

    /// The receiving direction: buffers ciphertext and yields frames, then messages.
    public struct Receiver: Sendable {
        static let lengthSize = 2 + 16
        static let tagSize = 16

        var cipher: NoiseCipherState
        private var assembler: MessageAssembler
        private var buffer: [UInt8] = []
        private var offset = 0
        /// Set once a frame's length has been decrypted (the length's nonce is then spent).
        private var pendingBodyLength: Int?
        /// The session cannot continue after an error; later calls repeat it.
        private var failure: NoiseTransportError?

        init(cipher: NoiseCipherState, maxMessageBytes: Int) {
            self.cipher = cipher
            assembler = MessageAssembler(maxMessageBytes: maxMessageBytes)
        }

        public var maxMessageBytes: Int { assembler.maxMessageBytes }

        /// Ciphertext received and not yet decrypted, plus the message in progress: what this
        /// receiver holds in memory. The caller bounds what it appends between reads.
        public var bufferedByteCount: Int { buffer.count - offset + assembler.bufferedByteCount }

        public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
            if offset > 0, offset >= buffer.count / 2 {
                // Compact lazily: dropping a consumed prefix on every frame would copy the
                // rest each time.
                buffer.removeSubrange(0..<offset)
                offset = 0
            }
            buffer.append(contentsOf: bytes)
        }

        /// The next whole message, or nil when more bytes are needed.
        public mutating func nextMessage() throws(NoiseTransportError) -> [UInt8]? {
            while let payload = try nextFrame() {
                do {
                    if let message = try assembler.accept(payload) { return message }
                } catch {
                    failure = error
                    throw error
                }
            }
            return nil
        }

        /// Appends `bytes` and returns every message now complete.
        public mutating func feed(_ bytes: [UInt8]) throws(NoiseTransportError) -> [[UInt8]] {
            append(bytes)
            var messages: [[UInt8]] = []
            while let message = try nextMessage() { messages.append(message) }
            return messages
        }

        /// The next BOLT 8 frame payload, or nil when more bytes are needed.
        mutating func nextFrame() throws(NoiseTransportError) -> [UInt8]? {
            if let failure { throw failure }
            if pendingBodyLength == nil {
                guard buffer.count - offset >= Self.lengthSize else { return nil }
                guard let length = cipher.decrypt(take(Self.lengthSize)) else {
                    failure = .authenticationFailed(part: "length")
                    throw failure!
                }
                pendingBodyLength = Int(length[0]) << 8 | Int(length[1])
            }
            let bodySize = pendingBodyLength! + Self.tagSize
            guard buffer.count - offset >= bodySize else { return nil }
            guard let payload = cipher.decrypt(take(bodySize)) else {
                failure = .authenticationFailed(part: "body")
                throw failure!
            }
            pendingBodyLength = nil
            return payload
        }

        private mutating func take(_ count: Int) -> [UInt8] {
            defer { offset += count }
            return Array(buffer[offset..<(offset + count)])
        }
    }
}
