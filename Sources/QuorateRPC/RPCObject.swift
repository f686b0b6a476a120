import QuorateCore

/// An object argument (e.g. the transaction of `eth_call`), read by key with the same rules and
/// messages as `RPCParams`: "invalid argument 0: field \"gas\": hex number > 64 bits".
/// Unknown keys are ignored, as geth does, so newer clients' extra fields do no harm.
public struct RPCObject: Sendable {
    public let members: [(key: String, value: JSON)]
    /// Which positional argument this object was; used in messages.
    public let argumentIndex: Int

    public init(members: [(key: String, value: JSON)], argumentIndex: Int) {
        self.members = members
        self.argumentIndex = argumentIndex
    }

    /// The field if present and not null.
    public func optional(_ key: String) -> JSON? {
        guard let v = members.first(where: { $0.key == key })?.value, !v.isNull else { return nil }
        return v
    }

    /// Reads an optional field with one of the typed accessors:
    /// `try tx.ifPresent("to", tx.address(_:))`.
    public func ifPresent<T>(_ key: String, _ read: (String) throws(RPCError) -> T) throws(RPCError) -> T? {
        optional(key) == nil ? nil : try read(key)
    }

    /// A required field of any type.
    public func value(_ key: String) throws(RPCError) -> JSON {
        guard let v = optional(key) else {
            throw RPCError.invalidParams("invalid argument \(argumentIndex): missing field \"\(key)\"")
        }
        return v
    }

    public func string(_ key: String) throws(RPCError) -> String { try decode(key, ValueDecoding.string) }
    public func bool(_ key: String) throws(RPCError) -> Bool { try decode(key, ValueDecoding.bool) }
    public func array(_ key: String) throws(RPCError) -> [JSON] { try decode(key, ValueDecoding.array) }
    public func quantityUInt64(_ key: String) throws(RPCError) -> UInt64 { try decode(key, ValueDecoding.quantityUInt64) }

    public func quantityBigEndian(_ key: String, maxBytes: Int = 32) throws(RPCError) -> [UInt8] {
        try decode(key) { (v: JSON) throws(DecodeFailure) in try ValueDecoding.quantityBigEndian(v, maxBytes: maxBytes) }
    }

    public func bytes(_ key: String) throws(RPCError) -> [UInt8] { try decode(key, ValueDecoding.bytes) }
    public func address(_ key: String) throws(RPCError) -> Address { try decode(key, ValueDecoding.address) }
    public func hash(_ key: String) throws(RPCError) -> Hash32 { try decode(key, ValueDecoding.hash) }
    public func blockTag(_ key: String) throws(RPCError) -> BlockTag { try decode(key, ValueDecoding.blockTag) }

    public func object(_ key: String) throws(RPCError) -> RPCObject {
        RPCObject(members: try decode(key, ValueDecoding.object), argumentIndex: argumentIndex)
    }

    private func decode<T>(_ key: String, _ convert: (JSON) throws(DecodeFailure) -> T) throws(RPCError) -> T {
        let v = try value(key)
        do {
            return try convert(v)
        } catch {
            throw RPCError.invalidParams("invalid argument \(argumentIndex): field \"\(key)\": \(error.reason)")
        }
    }
}
