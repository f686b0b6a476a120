import QuorateCore

/// Why a JSON value is not the expected parameter type; `reason` is a short phrase that
/// `RPCParams`/`RPCObject` prefix with where it happened.
struct DecodeFailure: Error {
    let reason: String
}

/// JSON value -> Swift value conversions with Ethereum JSON-RPC rules. Shared by positional
/// params and object fields so both give the same messages.
enum ValueDecoding {
    static func string(_ v: JSON) throws(DecodeFailure) -> String {
        guard case .string(let s) = v else { throw mismatch("a string", v) }
        return s
    }

    static func bool(_ v: JSON) throws(DecodeFailure) -> Bool {
        guard case .bool(let b) = v else { throw mismatch("a boolean", v) }
        return b
    }

    static func array(_ v: JSON) throws(DecodeFailure) -> [JSON] {
        guard case .array(let a) = v else { throw mismatch("an array", v) }
        return a
    }

    static func object(_ v: JSON) throws(DecodeFailure) -> [(key: String, value: JSON)] {
        guard case .object(let o) = v else { throw mismatch("an object", v) }
        return o
    }

    /// Quantities are hex strings, never JSON numbers (as geth's hexutil.Uint64).
    static func quantityUInt64(_ v: JSON) throws(DecodeFailure) -> UInt64 {
        guard case .string(let s) = v else { throw mismatch("a hex quantity string", v) }
        return try HexText.quantityUInt64(s)
    }

    static func quantityBigEndian(_ v: JSON, maxBytes: Int) throws(DecodeFailure) -> [UInt8] {
        guard case .string(let s) = v else { throw mismatch("a hex quantity string", v) }
        return try HexText.quantityBigEndian(s, maxBytes: maxBytes)
    }

    static func bytes(_ v: JSON) throws(DecodeFailure) -> [UInt8] {
        guard case .string(let s) = v else { throw mismatch("a hex data string", v) }
        return try HexText.data(s)
    }

    static func address(_ v: JSON) throws(DecodeFailure) -> Address {
        let raw = try bytes(v)
        guard raw.count == Address.byteCount else {
            throw DecodeFailure(reason: "an address is 20 bytes (40 hex digits), got \(raw.count) bytes")
        }
        return Address(raw)
    }

    static func hash(_ v: JSON) throws(DecodeFailure) -> Hash32 {
        let raw = try bytes(v)
        guard raw.count == 32 else {
            throw DecodeFailure(reason: "a hash is 32 bytes (64 hex digits), got \(raw.count) bytes")
        }
        return Hash32(raw)
    }

    static func blockTag(_ v: JSON) throws(DecodeFailure) -> BlockTag {
        switch try blockSelector(v) {
        case .tag(let tag): return tag
        case .hash: throw DecodeFailure(reason: "a block hash is not accepted here, give a block number or tag")
        }
    }

    /// A tag, a hex number, or an EIP-1898 object `{"blockNumber": ...}` / `{"blockHash": ..., "requireCanonical": ...}`.
    static func blockSelector(_ v: JSON) throws(DecodeFailure) -> BlockSelector {
        switch v {
        case .string(let s):
            return .tag(try namedOrNumberedTag(s))
        case .object:
            return try eip1898Selector(v)
        default:
            throw mismatch("a block number, tag or EIP-1898 object", v)
        }
    }

    private static func namedOrNumberedTag(_ s: String) throws(DecodeFailure) -> BlockTag {
        if let named = BlockTag.names.first(where: { $0.0 == s }) { return named.1 }
        guard s.utf8.starts(with: "0x".utf8) || s.utf8.starts(with: "0X".utf8) else {
            throw DecodeFailure(reason: "expected a hex block number or one of latest, earliest, pending, safe, finalized")
        }
        return .number(try HexText.quantityUInt64(s))
    }

    private static func eip1898Selector(_ v: JSON) throws(DecodeFailure) -> BlockSelector {
        switch (v["blockNumber"], v["blockHash"]) {
        case (.some, .some):
            throw DecodeFailure(reason: "cannot specify both blockHash and blockNumber, choose one or the other")
        case (.some(let n), .none):
            guard case .string(let s) = n else { throw mismatch("blockNumber as a hex string", n) }
            return .tag(try namedOrNumberedTag(s))
        case (.none, .some(let h)):
            var requireCanonical = false
            if let flag = v["requireCanonical"] { requireCanonical = try bool(flag) }
            return .hash(try hash(h), requireCanonical: requireCanonical)
        case (.none, .none):
            throw DecodeFailure(reason: "block object needs blockNumber or blockHash")
        }
    }

    private static func mismatch(_ expected: String, _ got: JSON) -> DecodeFailure {
        DecodeFailure(reason: "expected \(expected), got \(got.typeName)")
    }
}
