import QuorateCore

/// The first application message on every connection, sent by both sides at once.
struct Hello: Equatable, Sendable {
    var version: UInt32
    var chainId: UInt64
    var genesisHash: Hash32
    var height: UInt64
}

/// One application message after the handshake. Encoding (all integers big-endian):
///
///     hello        01 | version u32 | chain id u64 | genesis hash (32) | height u64
///     transactions 02 | count u32 | count x (length u32 | bytes)
///     consensus    03 | payload (the rest of the message: a vote or a compact proposal, RLP
///                         with a kind first, read by the consensus side, `ConsensusWire`)
///     status       04 | height u64
///     getBlocks    05 | start height u64 | count u32
///     blocks       06 | count u32 | count x (length u32 | bytes)
///     poolHashes   07 | count u32 | count x hash (32)
///     getPoolTxs   08 | count u32 | count x hash (32)
///     goodbye      09 | reason u8
///     stateRequest 0a | count u32 | count x (length u32 | bytes)   (state sync, StateSyncProtocol.swift)
///     stateResponse 0b | count u32 | count x (length u32 | bytes)
///
/// Every count and length is checked against the limits and the bytes actually present before
/// anything is allocated; a message must be consumed exactly (no trailing bytes).
enum WireMessage: Equatable, Sendable {
    case hello(Hello)
    case transactions([[UInt8]])
    case consensus([UInt8])
    case status(height: UInt64)
    case getBlocks(start: UInt64, count: UInt32)
    case blocks([[UInt8]])
    /// Transactions of the sender's pool, by hash, sent on every (re)connect.
    case poolHashes([Hash32])
    /// The pooled transactions the sender lacks; answered with `transactions`.
    case getPoolTransactions([Hash32])
    /// The sender closes the connection right after this, for this reason (allowed before the
    /// hello: it is how a duplicate connection learns why it ends).
    case goodbye(Goodbye)
    case stateRequest([[UInt8]])
    case stateResponse([[UInt8]])

    /// Items in one state-sync message, at most.
    static let maxStateItems = 8_192

    /// 2 since issue 16 added `poolHashes`, `getPoolTransactions` and `goodbye` and issue 15
    /// `stateRequest` and `stateResponse`; 3 since issue 13 sent proposals compact
    /// (`CompactProposal`, kind 3 inside `consensus`) and block-sync items with their senders. A
    /// node of an earlier version would take those for misbehaviour, so the hello keeps them
    /// apart: nodes of different versions do not connect.
    static let protocolVersion: UInt32 = 3

    enum Goodbye: Equatable, Sendable {
        /// The sender keeps another connection with us (one session per peer key).
        case duplicateConnection
        /// A reason code this version does not know.
        case other(UInt8)

        var code: UInt8 {
            switch self {
            case .duplicateConnection: 1
            case let .other(code): code
            }
        }

        init(code: UInt8) { self = code == 1 ? .duplicateConnection : .other(code) }

        var description: String {
            switch self {
            case .duplicateConnection:
                "the peer keeps its other connection with us (one session per peer key: of two made at once, "
                    + "the one dialed by the smaller key stays)"
            case let .other(code): "the peer said goodbye (reason code \(code))"
            }
        }
    }

    enum Tag: UInt8 {
        case hello = 0x01, transactions = 0x02, consensus = 0x03, status = 0x04, getBlocks = 0x05, blocks = 0x06
        case poolHashes = 0x07, getPoolTransactions = 0x08, goodbye = 0x09
        case stateRequest = 0x0a, stateResponse = 0x0b
    }

    /// Bytes a list costs besides its items: tag and count; each item adds a 4-byte length.
    static let listOverhead = 5
    static let itemOverhead = 4

    var name: String {
        switch self {
        case .hello: "hello"
        case .transactions: "transactions"
        case .consensus: "consensus"
        case .status: "status"
        case .getBlocks: "getBlocks"
        case .blocks: "blocks"
        case .poolHashes: "poolHashes"
        case .getPoolTransactions: "getPoolTransactions"
        case .goodbye: "goodbye"
        case .stateRequest: "stateRequest"
        case .stateResponse: "stateResponse"
        }
    }

    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        switch self {
        case let .hello(hello):
            out.reserveCapacity(53)
            out.append(Tag.hello.rawValue)
            Self.put(hello.version, into: &out)
            Self.put(hello.chainId, into: &out)
            out += hello.genesisHash.bytes
            Self.put(hello.height, into: &out)
        case let .transactions(items):
            Self.putList(.transactions, items, into: &out)
        case let .consensus(payload):
            out.reserveCapacity(1 + payload.count)
            out.append(Tag.consensus.rawValue)
            out += payload
        case let .status(height):
            out.append(Tag.status.rawValue)
            Self.put(height, into: &out)
        case let .getBlocks(start, count):
            out.append(Tag.getBlocks.rawValue)
            Self.put(start, into: &out)
            Self.put(count, into: &out)
        case let .blocks(items):
            Self.putList(.blocks, items, into: &out)
        case let .poolHashes(hashes):
            Self.putHashes(.poolHashes, hashes, into: &out)
        case let .getPoolTransactions(hashes):
            Self.putHashes(.getPoolTransactions, hashes, into: &out)
        case let .goodbye(reason):
            out = [Tag.goodbye.rawValue, reason.code]
        case let .stateRequest(items):
            Self.putList(.stateRequest, items, into: &out)
        case let .stateResponse(items):
            Self.putList(.stateResponse, items, into: &out)
        }
        return out
    }

    /// The encoded size of a list message with these items.
    static func listSize(_ items: some Collection<[UInt8]>) -> Int {
        items.reduce(listOverhead) { $0 + itemOverhead + $1.count }
    }

    struct Limits {
        var maxTransactions: Int
        var maxBlocks: Int
        var maxHashes = NetworkLimits.default.maxHashesPerMessage
    }

    /// Why a message could not be decoded; the peer is misbehaving.
    struct DecodingError: Error, Equatable, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func decode(_ bytes: [UInt8], limits: Limits) throws(DecodingError) -> WireMessage {
        var reader = Reader(bytes: bytes)
        guard let tagByte = reader.byte() else { throw DecodingError("empty message") }
        guard let tag = Tag(rawValue: tagByte) else {
            throw DecodingError("unknown message tag 0x\(String(tagByte, radix: 16))")
        }
        let message: WireMessage
        switch tag {
        case .hello:
            guard let version = reader.uint32() else { throw DecodingError("hello too short") }
            if version != protocolVersion {
                // Another version's hello may be laid out differently: keep only the version.
                return .hello(Hello(version: version, chainId: 0, genesisHash: .zero, height: 0))
            }
            guard let chainId = reader.uint64(), let hash = reader.bytes(32), let height = reader.uint64() else {
                throw DecodingError("hello too short")
            }
            message = .hello(Hello(version: version, chainId: chainId, genesisHash: Hash32(hash), height: height))
        case .transactions:
            message = .transactions(try reader.list(of: "transactions", max: limits.maxTransactions))
        case .consensus:
            return .consensus(Array(bytes[1...]))
        case .status:
            guard let height = reader.uint64() else { throw DecodingError("status too short") }
            message = .status(height: height)
        case .getBlocks:
            guard let start = reader.uint64(), let count = reader.uint32() else {
                throw DecodingError("getBlocks too short")
            }
            message = .getBlocks(start: start, count: count)
        case .blocks:
            message = .blocks(try reader.list(of: "blocks", max: limits.maxBlocks))
        case .poolHashes:
            message = .poolHashes(try reader.hashes(of: "poolHashes", max: limits.maxHashes))
        case .getPoolTransactions:
            message = .getPoolTransactions(try reader.hashes(of: "getPoolTransactions", max: limits.maxHashes))
        case .goodbye:
            guard let code = reader.byte() else { throw DecodingError("goodbye too short") }
            message = .goodbye(Goodbye(code: code))
        case .stateRequest:
            message = .stateRequest(try reader.list(of: "stateRequest", max: maxStateItems))
        case .stateResponse:
            message = .stateResponse(try reader.list(of: "stateResponse", max: maxStateItems))
        }
        guard reader.remaining == 0 else {
            throw DecodingError("\(reader.remaining) trailing bytes after a \(message.name) message")
        }
        return message
    }

    private static func put<T: FixedWidthInteger>(_ value: T, into out: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { out += $0 }
    }

    private static func putList(_ tag: Tag, _ items: [[UInt8]], into out: inout [UInt8]) {
        precondition(items.count <= Int(UInt32.max))
        out.reserveCapacity(listSize(items))
        out.append(tag.rawValue)
        put(UInt32(items.count), into: &out)
        for item in items {
            precondition(item.count <= Int(UInt32.max))
            put(UInt32(item.count), into: &out)
            out += item
        }
    }

    private static func putHashes(_ tag: Tag, _ hashes: [Hash32], into out: inout [UInt8]) {
        precondition(hashes.count <= Int(UInt32.max))
        out.reserveCapacity(listOverhead + 32 * hashes.count)
        out.append(tag.rawValue)
        put(UInt32(hashes.count), into: &out)
        for hash in hashes { out += hash.bytes }
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        var remaining: Int { bytes.count - offset }

        mutating func byte() -> UInt8? {
            guard remaining >= 1 else { return nil }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func bytes(_ count: Int) -> [UInt8]? {
            guard count >= 0, remaining >= count else { return nil }
            defer { offset += count }
            return Array(bytes[offset..<offset + count])
        }

        mutating func integer<T: FixedWidthInteger>(_: T.Type) -> T? {
            let size = MemoryLayout<T>.size
            guard remaining >= size else { return nil }
            var value: T = 0
            for i in 0..<size { value = value << 8 | T(bytes[offset + i]) }
            offset += size
            return value
        }

        mutating func uint32() -> UInt32? { integer(UInt32.self) }
        mutating func uint64() -> UInt64? { integer(UInt64.self) }

        /// count u32, then count x (length u32 | bytes); the count is checked against `max` and
        /// against the bytes present (each item takes at least its 4-byte length) before the
        /// list is allocated, and each length against the bytes present before the item is.
        mutating func list(of what: String, max: Int) throws(DecodingError) -> [[UInt8]] {
            guard let count32 = uint32() else { throw DecodingError("\(what) message too short") }
            let count = Int(count32)
            guard count <= max else {
                throw DecodingError("\(count) \(what) in one message, above the limit of \(max)")
            }
            guard count <= remaining / WireMessage.itemOverhead else {
                throw DecodingError("\(what) message announces \(count) items but holds \(remaining) bytes")
            }
            var items: [[UInt8]] = []
            items.reserveCapacity(count)
            for index in 0..<count {
                guard let length = uint32() else { throw DecodingError("\(what) item \(index) truncated") }
                guard let item = bytes(Int(length)) else {
                    throw DecodingError("\(what) item \(index) announces \(length) bytes but \(remaining) remain")
                }
                items.append(item)
            }
            return items
        }

        /// count u32, then count x 32-byte hashes; the count is checked against `max` and the
        /// bytes present before anything is allocated.
        mutating func hashes(of what: String, max: Int) throws(DecodingError) -> [Hash32] {
            guard let count32 = uint32() else { throw DecodingError("\(what) message too short") }
            let count = Int(count32)
            guard count <= max else {
                throw DecodingError("\(count) hashes in one \(what) message, above the limit of \(max)")
            }
            guard count * 32 == remaining else {
                throw DecodingError("\(what) message announces \(count) hashes but holds \(remaining) bytes")
            }
            var out: [Hash32] = []
            out.reserveCapacity(count)
            for _ in 0..<count {
                guard let bytes = bytes(32) else { throw DecodingError("\(what) truncated") }
                out.append(Hash32(bytes))
            }
            return out
        }
    }
}
