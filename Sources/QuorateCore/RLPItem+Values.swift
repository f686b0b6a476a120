/// Typed construction and extraction. Integers are RLP's canonical form: big-endian with no
/// leading zero byte, zero as the empty string. Extraction refuses any other form, so each
/// value has one encoding.
extension RLPItem {
    public init(bytes: [UInt8]) {
        self = .bytes(bytes)
    }

    public init(_ v: UInt64) {
        let n = (64 - v.leadingZeroBitCount + 7) / 8
        self = .bytes((0..<n).map { UInt8(truncatingIfNeeded: v >> UInt64((n - 1 - $0) * 8)) })
    }

    // Disfavoured so that `RLPItem(0)` (an integer literal) means the UInt64 form, not ambiguity.
    @_disfavoredOverload
    public init(_ v: UInt256) {
        self = .bytes(v.minimalBigEndianBytes)
    }

    public init(_ a: Address) {
        self = .bytes(a.bytes)
    }

    public init(_ h: Hash32) {
        self = .bytes(h.bytes)
    }

    public func bytesValue() throws -> [UInt8] {
        guard case .bytes(let b) = self else { throw RLPError.expectedString }
        return b
    }

    public func listValue() throws -> [RLPItem] {
        guard case .list(let l) = self else { throw RLPError.expectedList }
        return l
    }

    public func uint64Value() throws -> UInt64 {
        try canonicalIntegerBytes(maxCount: 8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    public func uint256Value() throws -> UInt256 {
        guard let v = UInt256(bigEndian: try canonicalIntegerBytes(maxCount: 32)) else {
            preconditionFailure("at most 32 bytes always fit a UInt256")
        }
        return v
    }

    public func addressValue() throws -> Address {
        Address(try fixedBytes(count: Address.byteCount, typeName: "address"))
    }

    public func hash32Value() throws -> Hash32 {
        Hash32(try fixedBytes(count: 32, typeName: "32-byte hash"))
    }

    private func canonicalIntegerBytes(maxCount: Int) throws -> [UInt8] {
        let b = try bytesValue()
        try RLP.checkCanonicalInteger(byteCount: b.count, first: b.first, maxCount: maxCount)
        return b
    }

    private func fixedBytes(count: Int, typeName: String) throws -> [UInt8] {
        let b = try bytesValue()
        try RLP.checkFixedSize(byteCount: b.count, expected: count, typeName: typeName)
        return b
    }
}

/// The rules of typed values, shared by `RLPItem`'s accessors and the decoders that read fields
/// in place.
extension RLP {
    /// Size before leading zeros, as geth: a 9-byte gas limit is an overflow whatever its first byte.
    static func checkCanonicalInteger(byteCount: Int, first: UInt8?, maxCount: Int) throws {
        guard byteCount <= maxCount else { throw RLPError.uintOverflow }
        if let first, first == 0 { throw RLPError.nonCanonicalInteger }
    }

    static func checkFixedSize(byteCount: Int, expected: Int, typeName: String) throws {
        if byteCount < expected {
            throw RLPError("rlp: input string too short for \(typeName) (\(byteCount) of \(expected) bytes)")
        }
        if byteCount > expected {
            throw RLPError("rlp: input string too long for \(typeName) (\(byteCount) of \(expected) bytes)")
        }
    }
}
