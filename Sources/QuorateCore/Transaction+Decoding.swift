extension Transaction {
    /// Decodes the canonical encoding (as `eth_sendRawTransaction` and blocks carry it).
    /// Strict: non-canonical RLP or integers, wrong field counts or sizes, unknown types and
    /// trailing bytes are refused, so `raw` is exactly the input and `hash` cannot be malleated.
    public static func decode(raw: [UInt8]) throws -> Transaction {
        guard raw.count <= maxEncodedBytes else { throw TransactionError.oversized(raw.count) }
        guard let first = raw.first else { throw TransactionError.typedTooShort }
        if first >= 0xc0 { return try decodeLegacy(raw) }
        // 0x80...0xbf would be an RLP string: neither a legacy list nor an EIP-2718 type byte.
        if first >= 0x80 { throw TransactionError("rlp: expected input list for legacy transaction") }
        guard raw.count > 1 else { throw TransactionError.typedTooShort }
        guard let type = TransactionType(rawValue: first), type != .legacy else {
            throw TransactionError.typeNotSupported
        }
        return try decodeTyped(type, raw)
    }

    private static func decodeLegacy(_ raw: [UInt8]) throws -> Transaction {
        let f = try Fields(rlp: raw, payloadStart: 0, count: 9, kind: "legacy transaction")
        let v = try f.uint256(6, "v")
        let (chainId, recoveryId) = try chainIdAndRecoveryId(type: .legacy, v: v)
        let unsigned = UnsignedTransaction(
            type: .legacy, chainId: chainId, nonce: try f.uint64(0, "nonce"), gasPrice: try f.uint256(1, "gasPrice"),
            gasLimit: try f.uint64(2, "gasLimit"), to: try f.to(3), value: try f.uint256(4, "value"),
            data: try f.bytes(5, "data"))
        return Transaction(unsigned: unsigned, v: v, r: try f.uint256(7, "r"), s: try f.uint256(8, "s"),
                           recoveryId: recoveryId, raw: raw)
    }

    private static func decodeTyped(_ type: TransactionType, _ raw: [UInt8]) throws -> Transaction {
        let isDynamic = type == .dynamicFee
        let kind = isDynamic ? "dynamic-fee transaction" : "access-list transaction"
        let f = try Fields(rlp: raw, payloadStart: 1, count: isDynamic ? 12 : 11, kind: kind)
        // After the fee fields, both types have the same layout, shifted by one for type 2.
        let k = isDynamic ? 1 : 0
        let v = try f.uint256(8 + k, "yParity")
        let (_, recoveryId) = try chainIdAndRecoveryId(type: type, v: v)
        let unsigned = UnsignedTransaction(
            type: type, chainId: try f.chainId(0), nonce: try f.uint64(1, "nonce"),
            gasPrice: isDynamic ? .zero : try f.uint256(2, "gasPrice"),
            maxPriorityFeePerGas: isDynamic ? try f.uint256(2, "maxPriorityFeePerGas") : .zero,
            maxFeePerGas: isDynamic ? try f.uint256(3, "maxFeePerGas") : .zero,
            gasLimit: try f.uint64(3 + k, "gasLimit"), to: try f.to(4 + k), value: try f.uint256(5 + k, "value"),
            data: try f.bytes(6 + k, "data"), accessList: try f.accessList(7 + k))
        return Transaction(unsigned: unsigned, v: v, r: try f.uint256(9 + k, "r"), s: try f.uint256(10 + k, "s"),
                           recoveryId: recoveryId, raw: raw)
    }
}

/// The top-level field list, read in place from `raw` (no item per field: this runs once per
/// transaction per node), with RLP errors reported as transaction errors naming the field.
private struct Fields {
    let raw: [UInt8]
    let spans: [RLPSpan]
    let kind: String

    init(rlp raw: [UInt8], payloadStart: Int, count: Int, kind: String) throws {
        self.raw = raw
        self.kind = kind
        let list: (spans: [RLPSpan], count: Int)?
        do {
            list = try raw.withUnsafeBufferPointer { try RLP.listSpans($0, from: payloadStart, keep: count) }
        } catch let e as RLPError {
            throw TransactionError(e.description)
        }
        guard let list else { throw TransactionError("rlp: expected input list for \(kind)") }
        guard list.count >= count else {
            throw TransactionError("rlp: too few elements for \(kind): \(list.count), expected \(count)")
        }
        guard list.count <= count else {
            throw TransactionError("rlp: input list has too many elements for \(kind): \(list.count), expected \(count)")
        }
        self.spans = list.spans
    }

    private func field<T>(_ i: Int, _ name: String, _ read: (RLPSpan) throws -> T) throws -> T {
        do {
            return try read(spans[i])
        } catch let e as RLPError {
            throw TransactionError("\(e.description), decoding \(kind) field \(name)")
        }
    }

    private func string(_ span: RLPSpan) throws -> ArraySlice<UInt8> {
        guard !span.isList else { throw RLPError.expectedString }
        return raw[span.start..<span.end]
    }

    private func integer(_ span: RLPSpan, maxCount: Int) throws -> ArraySlice<UInt8> {
        let b = try string(span)
        try RLP.checkCanonicalInteger(byteCount: b.count, first: b.first, maxCount: maxCount)
        return b
    }

    func uint64(_ i: Int, _ name: String) throws -> UInt64 {
        try field(i, name) { try integer($0, maxCount: 8).reduce(0) { $0 << 8 | UInt64($1) } }
    }

    func uint256(_ i: Int, _ name: String) throws -> UInt256 {
        try field(i, name) { span in
            let b = try integer(span, maxCount: 32)
            guard let v = b.withUnsafeBufferPointer({ UInt256(bigEndianBuffer: $0) }) else {
                preconditionFailure("at most 32 bytes always fit a UInt256")
            }
            return v
        }
    }

    func bytes(_ i: Int, _ name: String) throws -> [UInt8] { try field(i, name) { Array(try string($0)) } }

    /// Empty means contract creation; anything else must be exactly 20 bytes.
    func to(_ i: Int) throws -> Address? {
        try field(i, "to") { span in
            let b = try string(span)
            if b.isEmpty { return nil }
            try RLP.checkFixedSize(byteCount: b.count, expected: Address.byteCount, typeName: "address")
            return Address(Array(b))
        }
    }

    func chainId(_ i: Int) throws -> UInt64 {
        let id = try uint256(i, "chainId")
        guard let small = id.uint64 else {
            throw TransactionError("chain id \(id) is above 2^64-1, which Quorate does not support")
        }
        return small
    }

    /// Rare and nested, so built as items; the empty list of a plain transfer costs nothing.
    func accessList(_ i: Int) throws -> [AccessListEntry] {
        try field(i, "accessList") { span in
            guard span.isList else { throw RLPError.expectedList }
            if span.length == 0 { return [] }
            return try RLP.decode(Array(raw[span.headerStart..<span.end])).listValue().map(AccessListEntry.init(rlp:))
        }
    }
}
