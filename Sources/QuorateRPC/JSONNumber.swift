/// A JSON number, kept as its literal text.
///
/// Why text: JSON-RPC ids and some client payloads carry integers beyond 2^53 (and Ethereum
/// amounts beyond 2^64); converting to Double on parse would silently round them. The text is
/// validated against the RFC 8259 number grammar on construction, so it always serializes as
/// valid JSON. Equality is textual: `1`, `1.0` and `1e0` are different literals.
public struct JSONNumber: Hashable, Sendable, CustomStringConvertible,
    ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral
{
    /// The number exactly as written, e.g. `-12`, `3.5e10`.
    public let literal: String

    /// Validates `literal` against the RFC 8259 grammar; nil if it is not a JSON number.
    public init?(literal: String) {
        var text = literal
        let valid = text.withUTF8 { JSONNumber.scanLength($0, from: 0) == $0.count && !$0.isEmpty }
        guard valid else { return nil }
        self.literal = literal
    }

    /// For the parser, which has already checked the grammar.
    init(validatedLiteral: String) {
        self.literal = validatedLiteral
    }

    public init(_ value: Int) { literal = String(value) }
    public init(_ value: Int64) { literal = String(value) }
    public init(_ value: UInt64) { literal = String(value) }

    /// JSON has no NaN or infinity; passing one is a programming error.
    public init(_ value: Double) {
        precondition(value.isFinite, "JSON cannot represent \(value)")
        literal = value.description
    }

    public init(integerLiteral value: Int) { self.init(value) }
    public init(floatLiteral value: Double) { self.init(value) }

    public var description: String { literal }

    /// True when the literal has no fraction and no exponent.
    public var isInteger: Bool {
        !literal.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") })
    }

    /// The value if the literal is an integer that fits; nil otherwise (never rounds).
    public var int64Value: Int64? { isInteger ? Int64(literal) : nil }

    /// The value if the literal is a non-negative integer that fits; nil otherwise.
    public var uint64Value: UInt64? { isInteger ? UInt64(literal) : nil }

    /// The nearest Double; this may round, by nature of Double.
    public var doubleValue: Double {
        guard let d = Double(literal) else { preconditionFailure("validated JSON number \(literal) is not a Double") }
        return d
    }
}

extension JSONNumber {
    /// Length of the longest RFC 8259 number starting at `start`, or -1 if none starts there.
    /// `-? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?`
    static func scanLength(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start
        let n = bytes.count
        func isDigit(_ i: Int) -> Bool { i < n && bytes[i] &- UInt8(ascii: "0") < 10 }

        if i < n, bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard isDigit(i) else { return -1 }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while isDigit(i) { i += 1 }
        }
        if i < n, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard isDigit(i) else { return -1 }
            while isDigit(i) { i += 1 }
        }
        if i < n, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < n, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard isDigit(i) else { return -1 }
            while isDigit(i) { i += 1 }
        }
        return i - start
    }
}
