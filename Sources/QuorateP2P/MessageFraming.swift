import QuorateCore

/// Quorate's application framing on top of BOLT 8 frames, which carry at most 65535 bytes.
///
/// Every application message travels as one or more BOLT 8 frames, each payload being an
/// 8-byte part header followed by a chunk of the message:
///
///     total length (UInt32 BE) || part index (UInt16 BE) || part count (UInt16 BE) || chunk
///
/// Every part but the last carries exactly `chunkCapacity` bytes, the last carries the rest, and
/// an empty message is one part with an empty chunk. The header repeats in every part so that
/// the receiver checks each frame on its own: same total and count as the first part, the next
/// index, the exact chunk size. The total is checked against the limit on the first part, before
/// any byte of the message is buffered.
public enum MessageFraming {
    public static let maxFramePayload = 65535
    public static let headerSize = 8
    public static let chunkCapacity = maxFramePayload - headerSize

    /// The protocol's hard cap on one message, 66 MiB: the largest block any genesis may allow
    /// (`Block.maxEncodedBytes`, 65 MiB) plus 1 MiB for its commit certificate and the message
    /// envelope, so that block sync never meets a block it cannot carry. Nodes lower it per
    /// connection (`PeerLimits.maxMessageBytes`) to what their genesis needs.
    public static let maxMessageBytes = Block.maxEncodedBytes + (1 << 20)

    /// Parts needed for a message of `length` bytes (at least one).
    public static func partCount(forLength length: Int) -> Int {
        precondition(length >= 0)
        return length == 0 ? 1 : (length + chunkCapacity - 1) / chunkCapacity
    }

    /// Bytes on the wire for a message of `length` bytes: per frame an encrypted 2-byte length
    /// with its MAC (18), the part header, and the body's MAC (16).
    public static func wireSize(forLength length: Int) -> Int {
        length + partCount(forLength: length) * (18 + headerSize + 16)
    }

    static func header(total: Int, index: Int, count: Int) -> [UInt8] {
        precondition(total <= UInt32.max && count <= UInt16.max && index < count)
        let t = UInt32(total), i = UInt16(index), c = UInt16(count)
        return [UInt8(t >> 24), UInt8(t >> 16 & 0xff), UInt8(t >> 8 & 0xff), UInt8(t & 0xff),
                UInt8(i >> 8), UInt8(i & 0xff), UInt8(c >> 8), UInt8(c & 0xff)]
    }

    /// The frame payloads of one message, in order.
    static func parts(of message: [UInt8]) -> [[UInt8]] {
        let count = partCount(forLength: message.count)
        return (0..<count).map { part(of: message, index: $0, count: count) }
    }

    /// Payload of frame `index` of `count`: part header and that part's chunk.
    static func part(of message: [UInt8], index: Int, count: Int) -> [UInt8] {
        precondition(count == partCount(forLength: message.count) && index >= 0 && index < count)
        let start = index * chunkCapacity
        let end = min(start + chunkCapacity, message.count)
        var payload = header(total: message.count, index: index, count: count)
        payload.reserveCapacity(headerSize + end - start)
        payload += message[start..<end]
        return payload
    }
}

/// Reassembles messages from frame payloads, checking every header against the first part's.
struct MessageAssembler: Sendable {
    let maxMessageBytes: Int
    private var total = 0
    private var count = 0
    private var nextIndex = 0
    private var bytes: [UInt8] = []
    private var inProgress = false

    init(maxMessageBytes: Int) {
        precondition(maxMessageBytes >= 0 && maxMessageBytes <= MessageFraming.maxMessageBytes,
                     "maxMessageBytes must be 0...\(MessageFraming.maxMessageBytes)")
        self.maxMessageBytes = maxMessageBytes
    }

    /// Takes one frame payload; returns the message when this was its last part.
    mutating func accept(_ payload: [UInt8]) throws(NoiseTransportError) -> [UInt8]? {
        guard payload.count >= MessageFraming.headerSize else {
            throw .malformedFrame("a frame of \(payload.count) bytes is shorter than the \(MessageFraming.headerSize)-byte part header")
        }
        let frameTotal = Int(payload[0]) << 24 | Int(payload[1]) << 16 | Int(payload[2]) << 8 | Int(payload[3])
        let index = Int(payload[4]) << 8 | Int(payload[5])
        let frameCount = Int(payload[6]) << 8 | Int(payload[7])
        let chunkLength = payload.count - MessageFraming.headerSize

        if !inProgress {
            // First part: bound the claimed length before buffering anything.
            guard frameTotal <= maxMessageBytes else { throw .messageTooLarge(length: frameTotal, limit: maxMessageBytes) }
            guard index == 0 else { throw .malformedFrame("a message starts at part \(index) instead of part 0") }
            guard frameCount == MessageFraming.partCount(forLength: frameTotal) else {
                throw .malformedFrame("a message of \(frameTotal) bytes claims \(frameCount) parts instead of \(MessageFraming.partCount(forLength: frameTotal))")
            }
            total = frameTotal
            count = frameCount
            nextIndex = 0
            inProgress = true
        } else {
            guard frameTotal == total, frameCount == count, index == nextIndex else {
                throw .malformedFrame("part header (length \(frameTotal), part \(index) of \(frameCount)) does not continue the message in progress (length \(total), part \(nextIndex) of \(count))")
            }
        }
        let expected = index == count - 1 ? total - index * MessageFraming.chunkCapacity : MessageFraming.chunkCapacity
        guard chunkLength == expected else {
            throw .malformedFrame("part \(index) of \(count) carries \(chunkLength) bytes instead of \(expected)")
        }
        if count == 1 {
            inProgress = false
            return Array(payload[MessageFraming.headerSize...])
        }
        // Grows with what actually arrived rather than reserving the claimed total up front, so
        // a peer that announces a large message and stalls pins no more memory than it sent.
        bytes += payload[MessageFraming.headerSize...]
        nextIndex += 1
        guard nextIndex == count else { return nil }
        inProgress = false
        defer { bytes = [] }
        return bytes
    }

    /// Bytes of the message in progress held so far.
    var bufferedByteCount: Int { bytes.count }
}
