/// A request body made only of `eth_sendRawTransaction` calls, read straight from its bytes:
/// no JSON tree per element, and each transaction's hex decoded where it lies in the body.
///
/// The reader accepts one narrow shape, what wallets and the bench send: a request object, or a
/// batch of them, each with exactly the members `jsonrpc` ("2.0"), `id` (a number or a string
/// without escapes), `method` ("eth_sendRawTransaction") and `params` (an array of one `0x` hex
/// string of an even number of digits), in any order, with any JSON whitespace. Anything else
/// (another method, a notification, an escape, a bad digit, a duplicate member, a batch over
/// the limit) gives nil, and the body goes through the general parser, which produces the
/// answers and errors the client would get anyway: the fast path never decides an error.
struct RawTransactionRequests {
    struct Call {
        /// The request id as the general parser reads it (a number or a string).
        let id: JSON
        let raw: [UInt8]
    }

    static let method = "eth_sendRawTransaction"

    let calls: [Call]
    let isBatch: Bool

    /// The calls in `body`, or nil when it is not of the accepted shape.
    static func read(_ body: UnsafeRawBufferPointer, maxBatchLength: Int, limits: JSONParser.Limits) -> RawTransactionRequests? {
        // A single request nests 2 deep (object, params), a batch 3: within any sane limit, but
        // a smaller configured limit is the general parser's to report.
        guard body.count <= limits.maxInputBytes, limits.maxDepth >= 3 else { return nil }
        var reader = ByteReader(body.bindMemory(to: UInt8.self))
        reader.skipSpace()
        var calls: [Call] = []
        let isBatch = reader.peek == UInt8(ascii: "[")
        if isBatch {
            reader.advance()
            repeat {
                reader.skipSpace()
                guard calls.count < maxBatchLength, let call = readCall(&reader) else { return nil }
                calls.append(call)
                reader.skipSpace()
            } while reader.consume(UInt8(ascii: ","))
            guard reader.consume(UInt8(ascii: "]")) else { return nil }
        } else {
            guard let call = readCall(&reader) else { return nil }
            calls.append(call)
        }
        reader.skipSpace()
        guard reader.atEnd else { return nil }
        return RawTransactionRequests(calls: calls, isBatch: isBatch)
    }

    private static func readCall(_ r: inout ByteReader) -> Call? {
        guard r.consume(UInt8(ascii: "{")) else { return nil }
        var id: JSON?, raw: [UInt8]?, sawVersion = false, sawMethod = false
        repeat {
            r.skipSpace()
            guard let key = r.plainString() else { return nil }
            r.skipSpace()
            guard r.consume(UInt8(ascii: ":")) else { return nil }
            r.skipSpace()
            if key.elementsEqual("jsonrpc".utf8) {
                guard !sawVersion, let value = r.plainString(), value.elementsEqual("2.0".utf8) else { return nil }
                sawVersion = true
            } else if key.elementsEqual("method".utf8) {
                guard !sawMethod, let value = r.plainString(), value.elementsEqual(method.utf8) else { return nil }
                sawMethod = true
            } else if key.elementsEqual("id".utf8) {
                guard id == nil, let value = readID(&r) else { return nil }
                id = value
            } else if key.elementsEqual("params".utf8) {
                guard raw == nil, let value = readParams(&r) else { return nil }
                raw = value
            } else {
                return nil
            }
            r.skipSpace()
        } while r.consume(UInt8(ascii: ","))
        guard r.consume(UInt8(ascii: "}")), sawVersion, sawMethod, let id, let raw else { return nil }
        return Call(id: id, raw: raw)
    }

    /// A string id, or a number id read by the general parser from its own bytes (so that its
    /// spelling, echoed in the answer, is exactly what the general path would echo).
    private static func readID(_ r: inout ByteReader) -> JSON? {
        if r.peek == UInt8(ascii: "\"") {
            guard let text = r.plainString() else { return nil }
            return .string(String(decoding: text, as: UTF8.self))
        }
        let start = r.offset
        while let c = r.peek, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".")
                || c | 0x20 == UInt8(ascii: "e") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) {
            r.advance()
        }
        guard r.offset > start, case .number(let n)? = try? JSONParser.parse(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: r.bytes[start..<r.offset]))) else {
            return nil
        }
        return .number(n)
    }

    /// `["0x..."]`: one hex string of whole bytes, decoded in place.
    private static func readParams(_ r: inout ByteReader) -> [UInt8]? {
        guard r.consume(UInt8(ascii: "[")) else { return nil }
        r.skipSpace()
        guard let text = r.plainString(), text.count >= 2, text.count % 2 == 0,
              text[text.startIndex] == UInt8(ascii: "0"), text[text.startIndex + 1] | 0x20 == UInt8(ascii: "x") else { return nil }
        var raw = [UInt8](repeating: 0, count: text.count / 2 - 1)
        var i = text.startIndex + 2
        for k in raw.indices {
            guard let high = HexText.nibble(text[i]), let low = HexText.nibble(text[i + 1]) else { return nil }
            raw[k] = high << 4 | low
            i += 2
        }
        r.skipSpace()
        guard r.consume(UInt8(ascii: "]")) else { return nil }
        return raw
    }
}

/// A cursor over a request body.
private struct ByteReader {
    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var offset = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { offset == bytes.count }
    var peek: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    mutating func advance() { offset += 1 }

    mutating func consume(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        offset += 1
        return true
    }

    /// JSON's four whitespace bytes.
    mutating func skipSpace() {
        while let c = peek, c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09 { offset += 1 }
    }

    /// A string's bytes when it holds no escape, no control byte and only ASCII (nil otherwise:
    /// those are the general parser's to check and decode).
    mutating func plainString() -> Slice<UnsafeBufferPointer<UInt8>>? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = offset
        while let c = peek, c != UInt8(ascii: "\"") {
            guard c >= 0x20, c < 0x80, c != UInt8(ascii: "\\") else { return nil }
            offset += 1
        }
        guard consume(UInt8(ascii: "\"")) else { return nil }
        return bytes[start..<(offset - 1)]
    }
}
