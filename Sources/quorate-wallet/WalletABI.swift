import Foundation
import QuorateCore
import QuorateCrypto

/// Solidity's contract ABI for the wallet's `call`, `send` and `deploy`: encodes arguments given
/// as text for a signature such as `transfer(address,uint256)`, and decodes return values.
/// Types: address, bool, uintN, intN, bytesN, bytes, string, and arrays `T[]` / `T[k]` of them.
indirect enum ABIType: Equatable {
    case address, bool, uint(Int), int(Int), fixedBytes(Int), bytes, string
    case array(ABIType), fixedArray(ABIType, Int)

    init(parsing text: Substring) throws {
        if text.hasSuffix("]"), let open = text.lastIndex(of: "[") {
            let inner = try ABIType(parsing: text[..<open])
            let count = text[text.index(after: open)..<text.index(before: text.endIndex)]
            if count.isEmpty { self = .array(inner); return }
            guard let k = Int(count), k > 0 else { throw WalletError("ABI type \(text): bad array length") }
            self = .fixedArray(inner, k)
            return
        }
        switch text {
        case "address": self = .address
        case "bool": self = .bool
        case "bytes": self = .bytes
        case "string": self = .string
        case "uint": self = .uint(256)
        case "int": self = .int(256)
        default:
            if text.hasPrefix("uint"), let n = Int(text.dropFirst(4)), n % 8 == 0, (8...256).contains(n) { self = .uint(n); return }
            if text.hasPrefix("int"), let n = Int(text.dropFirst(3)), n % 8 == 0, (8...256).contains(n) { self = .int(n); return }
            if text.hasPrefix("bytes"), let n = Int(text.dropFirst(5)), (1...32).contains(n) { self = .fixedBytes(n); return }
            throw WalletError("unsupported ABI type \(text) (address, bool, uintN, intN, bytesN, bytes, string, and arrays of them)")
        }
    }

    var isDynamic: Bool {
        switch self {
        case .bytes, .string, .array: return true
        case .fixedArray(let inner, _): return inner.isDynamic
        default: return false
        }
    }

    /// Head size in bytes of a static value.
    var headSize: Int {
        if case .fixedArray(let inner, let k) = self, !inner.isDynamic { return inner.headSize * k }
        return 32
    }
}

enum ABI {
    /// `name(type,...)` -> (name, types).
    static func parseSignature(_ signature: String) throws -> (name: String, types: [ABIType]) {
        guard let open = signature.firstIndex(of: "("), signature.hasSuffix(")") else {
            throw WalletError("--function \(signature): expected NAME(TYPE,...), e.g. 'transfer(address,uint256)'")
        }
        let inner = signature[signature.index(after: open)..<signature.index(before: signature.endIndex)]
        let types = try splitTopLevel(inner).map { try ABIType(parsing: Substring($0.trimmingCharacters(in: .whitespaces))) }
        return (String(signature[..<open]), types)
    }

    static func selector(_ signature: String) -> [UInt8] { Array(Keccak256.hash(Array(signature.utf8)).prefix(4)) }

    static func encode(_ types: [ABIType], _ args: [String]) throws -> [UInt8] {
        guard types.count == args.count else { throw WalletError("expected \(types.count) argument(s), got \(args.count)") }
        return try encodeTuple(zip(types, args).map { ($0, try value($0, $1)) })
    }

    /// A parsed argument.
    indirect enum Value { case word([UInt8]), raw([UInt8]), list([Value]) }

    static func value(_ type: ABIType, _ text: String) throws -> Value {
        let t = text.trimmingCharacters(in: .whitespaces)
        switch type {
        case .address: return .word([UInt8](repeating: 0, count: 12) + (try Address(hex: t)).bytes)
        case .bool:
            guard t == "true" || t == "false" else { throw WalletError("bool argument must be true or false, got \(t)") }
            return .word([UInt8](repeating: 0, count: 31) + [t == "true" ? 1 : 0])
        case .uint(let bits):
            guard let v = UInt256(decimalOrHex: t), bits == 256 || v < pow2(bits) else {
                throw WalletError("uint\(bits) argument out of range: \(t)")
            }
            return .word(v.bigEndianBytes)
        case .int(let bits):
            let negative = t.hasPrefix("-")
            guard let magnitude = UInt256(decimalOrHex: negative ? String(t.dropFirst()) : t),
                  magnitude <= pow2(bits - 1) else { throw WalletError("int\(bits) argument out of range: \(t)") }
            if !negative && magnitude == pow2(bits - 1) { throw WalletError("int\(bits) argument out of range: \(t)") }
            return .word(negative ? negate(magnitude).bigEndianBytes : magnitude.bigEndianBytes)
        case .fixedBytes(let n):
            let b = try Hex.decode(t)
            guard b.count == n else { throw WalletError("bytes\(n) argument must be \(n) bytes, got \(b.count)") }
            return .word(b + [UInt8](repeating: 0, count: 32 - n))
        case .bytes: return .raw(try Hex.decode(t))
        case .string: return .raw(Array(t.utf8))
        case .array(let inner), .fixedArray(let inner, _):
            guard t.hasPrefix("["), t.hasSuffix("]") else { throw WalletError("array argument must be [a,b,...], got \(t)") }
            let items = try splitTopLevel(t.dropFirst().dropLast()).filter { !$0.isEmpty }.map { try value(inner, $0) }
            if case .fixedArray(_, let k) = type, items.count != k { throw WalletError("\(k) items expected, got \(items.count)") }
            return .list(items)
        }
    }

    static func encodeTuple(_ items: [(ABIType, Value)]) throws -> [UInt8] {
        let headLength = items.reduce(0) { $0 + ($1.0.isDynamic ? 32 : $1.0.headSize) }
        var head = [UInt8](), tail = [UInt8]()
        for (type, value) in items {
            let encoded = try encodeValue(type, value)
            if type.isDynamic {
                head += UInt256(UInt64(headLength + tail.count)).bigEndianBytes
                tail += encoded
            } else {
                head += encoded
            }
        }
        return head + tail
    }

    static func encodeValue(_ type: ABIType, _ value: Value) throws -> [UInt8] {
        switch (type, value) {
        case (_, .word(let w)): return w
        case (_, .raw(let bytes)):
            let padded = bytes + [UInt8](repeating: 0, count: (32 - bytes.count % 32) % 32)
            return UInt256(UInt64(bytes.count)).bigEndianBytes + padded
        case (.array(let inner), .list(let items)):
            return UInt256(UInt64(items.count)).bigEndianBytes + (try encodeTuple(items.map { (inner, $0) }))
        case (.fixedArray(let inner, _), .list(let items)):
            return try encodeTuple(items.map { (inner, $0) })
        default: throw WalletError("argument does not match type \(type)")
        }
    }

    /// Decodes return data as `types` into text (one line per value).
    static func decode(_ types: [ABIType], _ data: [UInt8]) -> [String] {
        types.enumerated().map { i, type in (try? decodeValue(type, data, at: i * 32, base: 0)) ?? "?" }
    }

    private static func word(_ data: [UInt8], _ at: Int) throws -> [UInt8] {
        guard at >= 0, at + 32 <= data.count else { throw WalletError("return data too short") }
        return Array(data[at..<(at + 32)])
    }

    private static func decodeValue(_ type: ABIType, _ data: [UInt8], at: Int, base: Int) throws -> String {
        let w = try word(data, at)
        switch type {
        case .address: return Address(Array(w.suffix(20))).checksummed
        case .bool: return w.last == 1 ? "true" : "false"
        case .uint: return UInt256(bigEndian: w)!.description
        case .int:
            let v = UInt256(bigEndian: w)!
            return w[0] & 0x80 != 0 ? "-" + negate(v).description : v.description
        case .fixedBytes(let n): return Hex.encode(Array(w.prefix(n)), prefix: true)
        case .bytes, .string:
            let offset = base + Int(UInt256(bigEndian: w)!.uint64 ?? UInt64(Int.max / 2))
            let length = Int(UInt256(bigEndian: try word(data, offset))!.uint64 ?? UInt64(Int.max / 2))
            guard offset + 32 + length <= data.count else { throw WalletError("return data too short") }
            let bytes = Array(data[(offset + 32)..<(offset + 32 + length)])
            return type == .string ? String(decoding: bytes, as: UTF8.self) : Hex.encode(bytes, prefix: true)
        case .array(let inner):
            let offset = base + Int(UInt256(bigEndian: w)!.uint64 ?? UInt64(Int.max / 2))
            let count = Int(UInt256(bigEndian: try word(data, offset))!.uint64 ?? 0)
            guard count <= data.count / 32 else { throw WalletError("array too long") }
            return "[" + (try (0..<count).map { try decodeValue(inner, data, at: offset + 32 + $0 * 32, base: offset + 32) }).joined(separator: ",") + "]"
        case .fixedArray(let inner, let k):
            return "[" + (try (0..<k).map { try decodeValue(inner, data, at: at + $0 * 32, base: base) }).joined(separator: ",") + "]"
        }
    }

    static func pow2(_ n: Int) -> UInt256 {
        var bytes = [UInt8](repeating: 0, count: 32)
        if n < 256 { bytes[31 - n / 8] = UInt8(1) << UInt8(n % 8) }
        return UInt256(bigEndian: bytes)!
    }

    static func negate(_ v: UInt256) -> UInt256 { UInt256.zero.subtractingReportingOverflow(v).partialValue }

    /// Splits "a,[b,c],d" at top-level commas.
    static func splitTopLevel(_ text: Substring) -> [String] {
        var parts = [String](), depth = 0, current = ""
        for c in text {
            if c == "[" || c == "(" { depth += 1 }
            if c == "]" || c == ")" { depth -= 1 }
            if c == "," && depth == 0 { parts.append(current); current = ""; continue }
            current.append(c)
        }
        if !current.isEmpty || !parts.isEmpty { parts.append(current) }
        return parts
    }
}

extension UInt256 {
    /// Decimal digits, or 0x-prefixed hex.
    init?(decimalOrHex text: String) {
        if text.hasPrefix("0x") { self.init(hexQuantity: text); return }
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        var v = UInt256.zero
        for c in text.utf8 {
            let (m, o1) = v.multipliedReportingOverflow(by: UInt256(10))
            let (s, o2) = m.addingReportingOverflow(UInt256(UInt64(c - 48)))
            if o1 || o2 { return nil }
            v = s
        }
        self = v
    }
}
