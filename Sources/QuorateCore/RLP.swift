/// One RLP value: a byte string or a list of values.
public enum RLPItem: Equatable, Sendable {
    case bytes([UInt8])
    case list([RLPItem])
}

/// Recursive Length Prefix, Ethereum's serialisation (Yellow Paper, appendix B).
///
/// The decoder is strict: every value has exactly one accepted encoding, so decoding then
/// re-encoding reproduces the input byte for byte, and a transaction's hash cannot be changed
/// by re-wrapping its fields.
public enum RLP {
    /// Deepest list nesting accepted. Transactions need 4 (access list keys); anything much
    /// deeper is an attack on the recursion, not data.
    public static let maxDepth = 16

    public static func encode(_ item: RLPItem) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(encodedLength(item))
        append(item, to: &out)
        return out
    }

    /// Encodes a list without building the enclosing `RLPItem` first.
    public static func encodeList(_ items: [RLPItem]) -> [UInt8] {
        encode(.list(items))
    }

    public static func decode(_ input: [UInt8]) throws -> RLPItem {
        try input.withUnsafeBufferPointer { try decode($0) }
    }

    public static func decode(_ input: UnsafeBufferPointer<UInt8>) throws -> RLPItem {
        guard !input.isEmpty else { throw RLPError.emptyInput }
        var reader = RLPReader(input)
        let item = try reader.readItem(limit: input.count, depth: 0)
        guard reader.position == input.count else { throw RLPError.moreThanOneValue }
        return item
    }

    // MARK: Encoding

    static func encodedLength(_ item: RLPItem) -> Int {
        switch item {
        case .bytes(let b):
            if b.count == 1 && b[0] < 0x80 { return 1 }
            return headerLength(b.count) + b.count
        case .list:
            let n = payloadLength(item)
            return headerLength(n) + n
        }
    }

    private static func payloadLength(_ item: RLPItem) -> Int {
        switch item {
        case .bytes(let b): return b.count
        case .list(let items): return items.reduce(0) { $0 + encodedLength($1) }
        }
    }

    private static func headerLength(_ payload: Int) -> Int {
        payload < 56 ? 1 : 1 + byteCount(payload)
    }

    private static func byteCount(_ n: Int) -> Int {
        (Int.bitWidth - n.leadingZeroBitCount + 7) / 8
    }

    static func append(_ item: RLPItem, to out: inout [UInt8]) {
        switch item {
        case .bytes(let b):
            if b.count == 1 && b[0] < 0x80 {
                out.append(b[0])
            } else {
                appendHeader(b.count, shortBase: 0x80, to: &out)
                out.append(contentsOf: b)
            }
        case .list(let items):
            appendHeader(payloadLength(item), shortBase: 0xc0, to: &out)
            for i in items { append(i, to: &out) }
        }
    }

    /// shortBase is 0x80 for strings and 0xc0 for lists; long forms add 55 + length-of-length.
    static func appendHeader(_ length: Int, shortBase: UInt8, to out: inout [UInt8]) {
        if length < 56 {
            out.append(shortBase + UInt8(length))
            return
        }
        let n = byteCount(length)
        out.append(shortBase + 55 + UInt8(n))
        for i in stride(from: n - 1, through: 0, by: -1) {
            out.append(UInt8(truncatingIfNeeded: length >> (i * 8)))
        }
    }
}

/// Where one element of a list lies in the input: its header, then its payload.
struct RLPSpan: Sendable {
    let isList: Bool
    let headerStart: Int
    let start: Int
    let length: Int

    var end: Int { start + length }
}

extension RLP {
    /// The elements of the list that is the one value of `input[offset...]`, checked as
    /// `decode` checks them (same errors, same order) but without building an item for each:
    /// decoders of fixed layouts read their fields in place. Nil when the value is a string.
    /// Spans are positions in `input`; at most `keep` are kept, `count` is how many elements
    /// the list has.
    static func listSpans(_ input: UnsafeBufferPointer<UInt8>, from offset: Int = 0,
                          keep: Int) throws -> (spans: [RLPSpan], count: Int)? {
        guard offset < input.count else { throw RLPError.emptyInput }
        var reader = RLPReader(input)
        reader.position = offset
        let top = try reader.readHeader(limit: input.count, insideList: false)
        let end = top.start + top.length
        var result: (spans: [RLPSpan], count: Int)?
        if top.isList {
            var spans: [RLPSpan] = []
            spans.reserveCapacity(keep)
            var count = 0
            reader.position = top.start
            while reader.position < end {
                let headerStart = reader.position
                let child = try reader.skipItem(limit: end, depth: 1)
                if count < keep {
                    spans.append(RLPSpan(isList: child.isList, headerStart: headerStart, start: child.start,
                                         length: child.length))
                }
                count += 1
            }
            result = (spans, count)
        }
        guard end == input.count else { throw RLPError.moreThanOneValue }
        return result
    }
}

/// Cursor over the input. Every length is checked against the enclosing limit before any
/// allocation, so a hostile length prefix costs nothing.
struct RLPReader {
    let input: UnsafeBufferPointer<UInt8>
    var position = 0

    init(_ input: UnsafeBufferPointer<UInt8>) {
        self.input = input
    }

    mutating func readItem(limit: Int, depth: Int) throws -> RLPItem {
        let (isList, start, length) = try readHeader(limit: limit, insideList: depth > 0)
        let end = start + length
        position = end
        if !isList {
            return .bytes(Array(input[start..<end]))
        }
        guard depth < RLP.maxDepth else { throw RLPError.tooDeep }
        var items: [RLPItem] = []
        var p = start
        while p < end {
            position = p
            items.append(try readItem(limit: end, depth: depth + 1))
            p = position
        }
        position = end
        return .list(items)
    }

    /// Checks the item at `position` exactly as `readItem` does, without building it, and
    /// leaves `position` after it. Returns the item's own header.
    @discardableResult
    mutating func skipItem(limit: Int, depth: Int) throws -> (isList: Bool, start: Int, length: Int) {
        let header = try readHeader(limit: limit, insideList: depth > 0)
        let end = header.start + header.length
        if header.isList {
            guard depth < RLP.maxDepth else { throw RLPError.tooDeep }
            position = header.start
            while position < end { try skipItem(limit: end, depth: depth + 1) }
        }
        position = end
        return header
    }

    /// Reads the prefix at `position`; returns where the payload starts and its length.
    /// A single byte below 0x80 is its own payload.
    func readHeader(limit: Int, insideList: Bool) throws -> (isList: Bool, start: Int, length: Int) {
        guard position < limit else { throw RLPError.unexpectedEOF }
        let p = position
        let b = input[p]
        switch b {
        case 0x00...0x7f:
            return (false, p, 1)
        case 0x80...0xb7:
            let n = Int(b - 0x80)
            try checkFits(start: p + 1, length: n, limit: limit, insideList: insideList)
            if n == 1 && input[p + 1] < 0x80 { throw RLPError.nonCanonicalSize }
            return (false, p + 1, n)
        case 0xb8...0xbf:
            let (start, n) = try readLongLength(
                lengthOfLength: Int(b - 0xb7), at: p + 1, limit: limit, insideList: insideList)
            return (false, start, n)
        case 0xc0...0xf7:
            let n = Int(b - 0xc0)
            try checkFits(start: p + 1, length: n, limit: limit, insideList: insideList)
            return (true, p + 1, n)
        default:
            let (start, n) = try readLongLength(
                lengthOfLength: Int(b - 0xf7), at: p + 1, limit: limit, insideList: insideList)
            return (true, start, n)
        }
    }

    private func readLongLength(
        lengthOfLength ll: Int, at p: Int, limit: Int, insideList: Bool
    ) throws -> (start: Int, length: Int) {
        guard p + ll <= limit else { throw RLPError.unexpectedEOF }
        if input[p] == 0 { throw RLPError.nonCanonicalSize }
        var n: UInt64 = 0
        for i in 0..<ll { n = n << 8 | UInt64(input[p + i]) }
        if n < 56 { throw RLPError.nonCanonicalSize }
        let start = p + ll
        // Compare in UInt64: an 8-byte length may not fit an Int.
        guard n <= UInt64(limit - start) else {
            throw insideList ? RLPError.elementTooLarge : RLPError.valueTooLarge
        }
        return (start, Int(n))
    }

    private func checkFits(start: Int, length: Int, limit: Int, insideList: Bool) throws {
        guard start + length <= limit else {
            throw insideList ? RLPError.elementTooLarge : RLPError.valueTooLarge
        }
    }
}
