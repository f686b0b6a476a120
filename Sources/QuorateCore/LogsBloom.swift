import QuorateCrypto

/// Ethereum's 2048-bit log filter (yellow paper, M3:2048): each log address and topic sets three
/// bits, taken from the low 11 bits of the first three byte pairs of its keccak256. A receipt's
/// bloom covers its logs, a block's the union of its receipts'.
public struct LogsBloom: Equatable, Sendable {
    public static let byteCount = 256
    public private(set) var bytes: [UInt8]

    public init() { bytes = [UInt8](repeating: 0, count: LogsBloom.byteCount) }

    public init(bytes: [UInt8]) {
        precondition(bytes.count == LogsBloom.byteCount, "a logs bloom is 256 bytes")
        self.bytes = bytes
    }

    public init(logs: [Log]) {
        self.init()
        for log in logs { add(log) }
    }

    public static let empty = LogsBloom()

    public var isEmpty: Bool { bytes.allSatisfy { $0 == 0 } }

    public mutating func add(_ log: Log) {
        add(bytes: log.address.bytes)
        for topic in log.topics { add(bytes: topic.bytes) }
    }

    public mutating func add(bytes value: [UInt8]) {
        for bit in LogsBloom.bits(value) { bytes[LogsBloom.byteCount - 1 - bit / 8] |= UInt8(1) << UInt8(bit % 8) }
    }

    public mutating func formUnion(_ other: LogsBloom) {
        for i in 0..<LogsBloom.byteCount { bytes[i] |= other.bytes[i] }
    }

    /// False when `value` (an address or topic) is certainly in no log the bloom covers.
    public func mayContain(_ value: [UInt8]) -> Bool {
        LogsBloom.bits(value).allSatisfy { bit in bytes[LogsBloom.byteCount - 1 - bit / 8] & (UInt8(1) << UInt8(bit % 8)) != 0 }
    }

    private static func bits(_ value: [UInt8]) -> [Int] {
        let h = Keccak256.hash(value)
        return (0..<3).map { i in (Int(h[2 * i]) << 8 | Int(h[2 * i + 1])) & 2047 }
    }
}
