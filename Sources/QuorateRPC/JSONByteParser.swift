/// The recursive-descent parser behind `JSONParser`. Works on bytes, never on `Character`:
/// grapheme breaking is costly and irrelevant to JSON's grammar, which is all ASCII.
struct JSONByteParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private let maxDepth: Int
    private var pos = 0
    private var depth = 0
    /// Reused buffer for strings that contain escapes.
    private var scratch: [UInt8] = []

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(JSONParseError) -> JSON {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard pos == bytes.count else { throw failure("unexpected data after the top-level value") }
        precondition(depth == 0, "container depth must be balanced after a complete value")
        return value
    }

    // MARK: Values

    private mutating func parseValue() throws(JSONParseError) -> JSON {
        guard pos < bytes.count else { throw failure("unexpected end of input, expected a value") }
        switch bytes[pos] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw failure("unexpected \(describeByte(at: pos)), expected a value")
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSON {
        try enterContainer()
        var members: [(key: String, value: JSON)] = []
        var keys = DuplicateKeyCheck()
        skipWhitespace()
        if consume(UInt8(ascii: "}")) {
            depth -= 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw failure(expected: "a string key in object") }
            let keyOffset = pos
            let key = try parseString()
            guard keys.insert(key, existing: members) else {
                throw JSONParseError(offset: keyOffset, reason: "duplicate object key \"\(key.prefix(64))\"")
            }
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { throw failure(expected: "':' after object key") }
            skipWhitespace()
            members.append((key: key, value: try parseValue()))
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "}")) { break }
            throw failure(expected: "',' or '}' in object")
        }
        depth -= 1
        return .object(members)
    }

    private mutating func parseArray() throws(JSONParseError) -> JSON {
        try enterContainer()
        var elements: [JSON] = []
        skipWhitespace()
        if consume(UInt8(ascii: "]")) {
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "]")) { break }
            throw failure(expected: "',' or ']' in array")
        }
        depth -= 1
        return .array(elements)
    }

    /// Consumes the opening bracket; refuses to go deeper than the limit.
    private mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        guard depth <= maxDepth else { throw failure("nesting deeper than \(maxDepth) levels") }
        pos += 1
    }

    private mutating func parseNumber() throws(JSONParseError) -> JSONNumber {
        let length = JSONNumber.scanLength(bytes, from: pos)
        let end = pos + length
        // A number glued to more number-like bytes ("01", "1.", "2e") is malformed, not two tokens.
        if length <= 0 || (end < bytes.count && Self.isNumberByte(bytes[end])) {
            throw failure("invalid number")
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[pos..<end]), as: UTF8.self)
        pos = end
        return JSONNumber(validatedLiteral: text)
    }

    private static func isNumberByte(_ b: UInt8) -> Bool {
        (b &- UInt8(ascii: "0")) < 10 || b == UInt8(ascii: ".") || b == UInt8(ascii: "e")
            || b == UInt8(ascii: "E") || b == UInt8(ascii: "+") || b == UInt8(ascii: "-")
    }

    private mutating func expectWord(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        guard pos + count <= bytes.count,
              memcmpEqual(word.utf8Start, count)
        else { throw failure("unexpected \(describeByte(at: pos)), expected a value") }
        pos += count
    }

    private func memcmpEqual(_ word: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        for i in 0..<count where bytes[pos + i] != word[i] { return false }
        return true
    }

    // MARK: Strings

    /// Parses a string starting at its opening quote. The fast path (no escapes) makes the
    /// String straight from the input bytes.
    private mutating func parseString() throws(JSONParseError) -> String {
        let quoteOffset = pos
        pos += 1
        let start = pos
        while pos < bytes.count {
            let c = bytes[pos]
            if c == UInt8(ascii: "\"") {
                let s = try makeString(UnsafeBufferPointer(rebasing: bytes[start..<pos]), offset: start)
                pos += 1
                return s
            }
            if c == UInt8(ascii: "\\") { return try parseEscapedString(from: start) }
            if c < 0x20 { throw failure("control character \(describeByte(at: pos)) must be escaped in a string") }
            pos += 1
        }
        throw JSONParseError(offset: quoteOffset, reason: "unterminated string")
    }

    /// The slow path: copies into `scratch`, decoding escapes, until the closing quote.
    private mutating func parseEscapedString(from start: Int) throws(JSONParseError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<pos]))
        while pos < bytes.count {
            let c = bytes[pos]
            if c == UInt8(ascii: "\"") {
                pos += 1
                let text = scratch.withUnsafeBufferPointer { String(validating: $0, as: UTF8.self) }
                guard let text else { throw JSONParseError(offset: start, reason: "string is not valid UTF-8") }
                return text
            }
            if c == UInt8(ascii: "\\") {
                try appendEscape()
            } else if c < 0x20 {
                throw failure("control character \(describeByte(at: pos)) must be escaped in a string")
            } else {
                scratch.append(c)
                pos += 1
            }
        }
        throw JSONParseError(offset: start - 1, reason: "unterminated string")
    }

    private func makeString(_ raw: UnsafeBufferPointer<UInt8>, offset: Int) throws(JSONParseError) -> String {
        guard let s = String(validating: raw, as: UTF8.self) else {
            throw JSONParseError(offset: offset, reason: "string is not valid UTF-8")
        }
        return s
    }

    /// Decodes one escape at `pos` (which holds the backslash) into `scratch`.
    private mutating func appendEscape() throws(JSONParseError) {
        let escapeOffset = pos
        guard pos + 1 < bytes.count else { throw failure("unterminated escape sequence") }
        let kind = bytes[pos + 1]
        pos += 2
        switch kind {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(kind)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"): try appendUnicodeEscape(escapeOffset: escapeOffset)
        default: throw JSONParseError(offset: escapeOffset, reason: "invalid escape sequence \(describeByte(at: pos - 1))")
        }
    }

    /// `\uXXXX`, combining a UTF-16 surrogate pair into one scalar. Lone surrogates are refused:
    /// they have no UTF-8 form, and silently replacing them would alter signed payloads.
    private mutating func appendUnicodeEscape(escapeOffset: Int) throws(JSONParseError) {
        let first = try readHex4(escapeOffset: escapeOffset)
        var scalarValue = UInt32(first)
        if (0xD800...0xDBFF).contains(first) {
            guard pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") else {
                throw JSONParseError(offset: escapeOffset, reason: "high surrogate \\u\(hex4(first)) is not followed by a low surrogate")
            }
            pos += 2
            let second = try readHex4(escapeOffset: pos - 2)
            guard (0xDC00...0xDFFF).contains(second) else {
                throw JSONParseError(offset: escapeOffset, reason: "high surrogate \\u\(hex4(first)) is not followed by a low surrogate")
            }
            scalarValue = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(first) {
            throw JSONParseError(offset: escapeOffset, reason: "lone low surrogate \\u\(hex4(first))")
        }
        guard let scalar = Unicode.Scalar(scalarValue) else {
            preconditionFailure("surrogates were handled above, so \(scalarValue) is a scalar")
        }
        scratch.append(contentsOf: UTF8.encode(scalar)!)
    }

    private mutating func readHex4(escapeOffset: Int) throws(JSONParseError) -> UInt16 {
        guard pos + 4 <= bytes.count else { throw JSONParseError(offset: escapeOffset, reason: "\\u escape needs 4 hex digits") }
        var value: UInt16 = 0
        for i in 0..<4 {
            guard let nibble = HexText.nibble(bytes[pos + i]) else {
                throw JSONParseError(offset: escapeOffset, reason: "\\u escape needs 4 hex digits")
            }
            value = value << 4 | UInt16(nibble)
        }
        pos += 4
        return value
    }

    private func hex4(_ v: UInt16) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - s.count) + s
    }

    // MARK: Lexing helpers

    private mutating func skipWhitespace() {
        while pos < bytes.count {
            switch bytes[pos] {
            case 0x20, 0x09, 0x0A, 0x0D: pos += 1
            default: return
            }
        }
    }

    private func peek() -> UInt8? { pos < bytes.count ? bytes[pos] : nil }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard pos < bytes.count, bytes[pos] == byte else { return false }
        pos += 1
        return true
    }

    private func failure(_ reason: String) -> JSONParseError {
        JSONParseError(offset: pos, reason: reason)
    }

    private func failure(expected: String) -> JSONParseError {
        guard pos < bytes.count else { return failure("unexpected end of input, expected \(expected)") }
        return failure("unexpected \(describeByte(at: pos)), expected \(expected)")
    }

    private func describeByte(at offset: Int) -> String {
        guard offset < bytes.count else { return "end of input" }
        let b = bytes[offset]
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x" + String(b, radix: 16)
    }
}

/// Object-key uniqueness: a linear scan while the object is small (the common JSON-RPC case),
/// a hash set once it grows, so a hostile object with many keys stays linear overall.
private struct DuplicateKeyCheck {
    private static let linearLimit = 16
    private var seen: Set<String>?

    /// True if `key` is new. `existing` are the members parsed so far, in order.
    mutating func insert(_ key: String, existing: [(key: String, value: JSON)]) -> Bool {
        if seen == nil {
            if existing.count < Self.linearLimit {
                return !existing.contains(where: { $0.key == key })
            }
            seen = Set(existing.map(\.key))
        }
        return seen!.insert(key).inserted
    }
}
