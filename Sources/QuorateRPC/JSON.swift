/// A JSON value (RFC 8259).
///
/// Objects keep their members in the order they were parsed or built, so serialization is
/// deterministic and equality is order-sensitive. Numbers keep their literal text (see
/// `JSONNumber`), so a 256-bit integer survives a parse/serialize round trip unchanged.
public enum JSON: Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSON])
    case object([(key: String, value: JSON)])
}

// MARK: - Equality

extension JSON: Equatable {
    /// Structural equality. Object member order matters (it is part of the serialized form);
    /// numbers compare by literal text, so `1` and `1.0` differ.
    public static func == (a: JSON, b: JSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }
}

// MARK: - Accessors

extension JSON {
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var numberValue: JSONNumber? {
        if case .number(let n) = self { return n }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var arrayValue: [JSON]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: [(key: String, value: JSON)]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The member named `key` of an object; nil if absent or if this is not an object.
    /// Linear search: JSON-RPC objects are small, and keeping order beats hashing here.
    public subscript(key: String) -> JSON? {
        guard case .object(let members) = self else { return nil }
        return members.first(where: { $0.key == key })?.value
    }

    /// The element at `index` of an array; nil if out of range or if this is not an array.
    public subscript(index: Int) -> JSON? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// The JSON type name, for error messages ("expected a string, got number").
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

// MARK: - Literals

extension JSON: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(JSONNumber(value)) }
    public init(floatLiteral value: Double) { self = .number(JSONNumber(value)) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }

    /// Members keep their source order.
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self = .object(elements.map { (key: $0.0, value: $0.1) })
    }
}

// MARK: - Ethereum encodings

extension JSON {
    /// An Ethereum hex quantity: `0x` and the shortest hex digits, `0x0` for zero.
    public static func quantity(_ value: UInt64) -> JSON {
        .string("0x" + String(value, radix: 16))
    }

    /// Ethereum hex data: `0x` and two lowercase digits per byte.
    public static func data(_ bytes: [UInt8]) -> JSON {
        .string(HexText.encode(bytes))
    }
}
