import QuorateCore

/// The positional `params` of a call, with typed accessors that throw `-32602` in geth's words:
/// "missing value for required argument 1", "invalid argument 0: hex string without 0x prefix",
/// "too many arguments, want at most 2".
///
/// A trailing argument that is absent or `null` counts as not given (geth treats both alike),
/// so optional arguments are read with `optional(at:)` / `ifPresent(_:_:)`.
public struct RPCParams: Sendable {
    public let values: [JSON]

    public init(_ values: [JSON]) {
        self.values = values
    }

    public var count: Int { values.count }

    /// The raw argument, `.null` when absent.
    public subscript(index: Int) -> JSON {
        values.indices.contains(index) ? values[index] : .null
    }

    /// Refuses fewer than `range.lowerBound` or more than `range.upperBound` arguments.
    /// Trailing nulls are not counted toward "too many", as geth's optional pointers.
    public func expectCount(_ range: ClosedRange<Int>) throws(RPCError) {
        if let firstMissing = (0..<range.lowerBound).first(where: { optional(at: $0) == nil }) {
            throw RPCError.invalidParams("missing value for required argument \(firstMissing)")
        }
        let lastGiven = values.lastIndex(where: { !$0.isNull }) ?? -1
        if lastGiven >= range.upperBound {
            throw RPCError.invalidParams("too many arguments, want at most \(range.upperBound)")
        }
    }

    public func expectCount(_ exactly: Int) throws(RPCError) {
        try expectCount(exactly...exactly)
    }

    /// The argument if given and not null.
    public func optional(at index: Int) -> JSON? {
        let v = self[index]
        return v.isNull ? nil : v
    }

    /// Reads an optional argument with one of the typed accessors:
    /// `try params.ifPresent(1, params.bool(at:))`.
    public func ifPresent<T>(_ index: Int, _ read: (Int) throws(RPCError) -> T) throws(RPCError) -> T? {
        optional(at: index) == nil ? nil : try read(index)
    }

    /// A required argument of any type.
    public func value(at index: Int) throws(RPCError) -> JSON {
        guard let v = optional(at: index) else {
            throw RPCError.invalidParams("missing value for required argument \(index)")
        }
        return v
    }

    public func string(at index: Int) throws(RPCError) -> String { try decode(index, ValueDecoding.string) }
    public func bool(at index: Int) throws(RPCError) -> Bool { try decode(index, ValueDecoding.bool) }
    public func array(at index: Int) throws(RPCError) -> [JSON] { try decode(index, ValueDecoding.array) }

    /// A hex quantity such as `"0x1a"` that fits in 64 bits.
    public func quantityUInt64(at index: Int) throws(RPCError) -> UInt64 { try decode(index, ValueDecoding.quantityUInt64) }

    /// A hex quantity of up to `maxBytes` bytes (32 for Ethereum amounts) as a big-endian
    /// magnitude without leading zero bytes (zero is `[]`).
    public func quantityBigEndian(at index: Int, maxBytes: Int = 32) throws(RPCError) -> [UInt8] {
        try decode(index) { (v: JSON) throws(DecodeFailure) in try ValueDecoding.quantityBigEndian(v, maxBytes: maxBytes) }
    }

    /// Hex data such as `"0xdeadbeef"`.
    public func bytes(at index: Int) throws(RPCError) -> [UInt8] { try decode(index, ValueDecoding.bytes) }
    public func address(at index: Int) throws(RPCError) -> Address { try decode(index, ValueDecoding.address) }
    public func hash(at index: Int) throws(RPCError) -> Hash32 { try decode(index, ValueDecoding.hash) }

    /// A block tag or number, required.
    public func blockTag(at index: Int) throws(RPCError) -> BlockTag { try decode(index, ValueDecoding.blockTag) }

    /// A block tag or number, `defaultTag` when not given (geth defaults to latest in most reads).
    public func blockTag(at index: Int, default defaultTag: BlockTag) throws(RPCError) -> BlockTag {
        optional(at: index) == nil ? defaultTag : try blockTag(at: index)
    }

    /// A block tag, number, or EIP-1898 block-hash object; `defaultTag` when not given.
    public func blockSelector(at index: Int, default defaultTag: BlockTag = .latest) throws(RPCError) -> BlockSelector {
        optional(at: index) == nil ? .tag(defaultTag) : try decode(index, ValueDecoding.blockSelector)
    }

    /// An object argument (a transaction call, a filter), with the same typed accessors by key.
    public func object(at index: Int) throws(RPCError) -> RPCObject {
        RPCObject(members: try decode(index, ValueDecoding.object), argumentIndex: index)
    }

    private func decode<T>(_ index: Int, _ convert: (JSON) throws(DecodeFailure) -> T) throws(RPCError) -> T {
        let v = try value(at: index)
        do {
            return try convert(v)
        } catch {
            throw RPCError.invalidParams("invalid argument \(index): \(error.reason)")
        }
    }
}
