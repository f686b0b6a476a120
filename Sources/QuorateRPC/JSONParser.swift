/// Why a text is not accepted as JSON, and where.
public struct JSONParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Byte offset into the input where the problem was found.
    public let offset: Int
    public let reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

/// A strict RFC 8259 parser over UTF-8 bytes.
///
/// Strict means: no comments, no trailing commas, no leading zeros, no NaN, no single quotes,
/// no byte-order mark, control characters must be escaped, strings must be valid UTF-8, lone
/// surrogate escapes are refused, and duplicate object keys are refused (RFC 8259 leaves their
/// meaning open; two parsers disagreeing on which one wins is a classic smuggling bug).
/// Bounded: input length and nesting depth are limited, so a hostile request cannot exhaust
/// memory or the stack.
public enum JSONParser {
    public struct Limits: Sendable, Equatable {
        /// Deepest nesting of arrays and objects. JSON-RPC needs about 5; 128 leaves room for
        /// structured params while keeping the recursive descent far from the thread's stack limit.
        public static let defaultMaxDepth = 128
        /// Same as the HTTP body limit (geth's 5 MiB): a body that passed HTTP must also parse.
        public static let defaultMaxInputBytes = 5 * 1024 * 1024

        public var maxDepth: Int
        public var maxInputBytes: Int

        public init(maxDepth: Int = defaultMaxDepth, maxInputBytes: Int = defaultMaxInputBytes) {
            precondition(maxDepth > 0 && maxInputBytes > 0, "JSON limits must be positive")
            self.maxDepth = maxDepth
            self.maxInputBytes = maxInputBytes
        }

        public static let standard = Limits()
    }

    public static func parse(_ bytes: UnsafeRawBufferPointer, limits: Limits = .standard) throws(JSONParseError) -> JSON {
        guard bytes.count <= limits.maxInputBytes else {
            throw JSONParseError(offset: 0, reason: "input of \(bytes.count) bytes exceeds the limit of \(limits.maxInputBytes) bytes")
        }
        var parser = JSONByteParser(bytes: bytes.bindMemory(to: UInt8.self), maxDepth: limits.maxDepth)
        return try parser.parseDocument()
    }

    public static func parse(_ bytes: [UInt8], limits: Limits = .standard) throws(JSONParseError) -> JSON {
        // `withUnsafeBytes` rethrows untyped errors; a Result keeps the parser's error type.
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONParseError) -> JSON in try parse(raw, limits: limits) }
        }
        return try result.get()
    }

    public static func parse(_ text: String, limits: Limits = .standard) throws(JSONParseError) -> JSON {
        try parse(Array(text.utf8), limits: limits)
    }
}
