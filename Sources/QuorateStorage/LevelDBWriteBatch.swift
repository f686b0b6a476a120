/// Writes applied together by `LevelDB.write`: all of them or none, even across a crash.
/// A plain value (no C handle), so it can be built on any thread and passed between them; the C
/// batch exists only for the duration of `write`.
public struct WriteBatch: Sendable {
    enum Operation: Sendable {
        case put(key: [UInt8], value: [UInt8])
        case delete(key: [UInt8])
    }

    private(set) var operations: [Operation] = []
    /// Sum of key and value sizes plus LevelDB's per-record overhead (tag and two varint lengths,
    /// counted as 12 bytes): enough to cap a batch's size, not an exact on-disk figure.
    public private(set) var approximateBytes = 12

    public init() {}

    public var count: Int { operations.count }
    public var isEmpty: Bool { operations.isEmpty }

    public mutating func put(_ key: [UInt8], _ value: [UInt8]) {
        operations.append(.put(key: key, value: value))
        approximateBytes += key.count + value.count + 12
    }

    public mutating func delete(_ key: [UInt8]) {
        operations.append(.delete(key: key))
        approximateBytes += key.count + 12
    }
}
