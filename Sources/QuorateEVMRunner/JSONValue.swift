import Foundation
import QuorateCore

/// Typed access to one value of a parsed JSON document (Foundation's `Any`), remembering the
/// path it was reached by so that every refusal names the field.
struct JSONValue {
    let raw: Any
    let path: String

    func fail(_ problem: String) -> FieldError {
        FieldError(field: path, problem: problem)
    }

    func object() throws -> [String: Any] {
        guard let o = raw as? [String: Any] else { throw fail("is not a JSON object") }
        return o
    }

    func array() throws -> [JSONValue] {
        guard let a = raw as? [Any] else { throw fail("is not a JSON array") }
        return a.enumerated().map { JSONValue(raw: $0.element, path: "\(path)[\($0.offset)]") }
    }

    func string() throws -> String {
        guard let s = raw as? String else { throw fail("is not a string") }
        return s
    }

    var isNull: Bool { raw is NSNull }

    /// The object's members sorted by key: a JSON object has no order, and results must not
    /// depend on a dictionary's.
    func members() throws -> [(key: String, value: JSONValue)] {
        let o = try object()
        return o.keys.sorted().map { key in (key, JSONValue(raw: o[key]!, path: child(key))) }
    }

    private func child(_ name: String) -> String {
        path.isEmpty ? name : "\(path).\(name)"
    }

    func field(_ name: String) throws -> JSONValue {
        guard let v = try object()[name] else {
            throw FieldError(field: path, problem: "has no field \"\(name)\"")
        }
        return JSONValue(raw: v, path: child(name))
    }

    /// Nil when the field is absent or null.
    func optionalField(_ name: String) throws -> JSONValue? {
        guard let v = try object()[name], !(v is NSNull) else { return nil }
        return JSONValue(raw: v, path: child(name))
    }

    /// `0x` and hex digits, any length (odd allowed): the number's minimal big-endian bytes.
    /// `0x` alone is zero, as the test fillers write it for empty values.
    func hexNumberBytes() throws -> [UInt8] {
        let s = try string()
        guard let bytes = HexText.number(s) else { throw fail("is not a hex number: \"\(s.prefix(80))\"") }
        return bytes
    }

    func uint256() throws -> UInt256 {
        let bytes = try hexNumberBytes()
        guard let v = UInt256(bigEndian: bytes), bytes.count <= 32 else {
            throw fail("is larger than 2^256-1")
        }
        return v
    }

    func uint64() throws -> UInt64 {
        guard let v = try uint256().uint64 else { throw fail("is larger than 2^64-1") }
        return v
    }

    /// `0x` and an even number of hex digits.
    func bytes() throws -> [UInt8] {
        let s = try string()
        guard let b = HexText.bytes(s) else { throw fail("is not hex bytes: \"\(s.prefix(80))\"") }
        return b
    }

    func address() throws -> Address {
        let b = try bytes()
        guard b.count == 20 else { throw fail("is not a 20-byte address") }
        return Address(b)
    }

    func hash() throws -> Hash32 {
        let b = try bytes()
        guard b.count == 32 else { throw fail("is not a 32-byte hash") }
        return Hash32(b)
    }

    /// JSON numbers only (the post indexes).
    func int() throws -> Int {
        guard let n = raw as? Int else { throw fail("is not an integer") }
        return n
    }
}

