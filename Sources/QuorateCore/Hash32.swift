import Glibc
import QuorateCrypto

/// A 32-byte hash (keccak256 unless a field says otherwise).
public struct Hash32: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) {
        precondition(bytes.count == 32, "a hash is 32 bytes")
        self.bytes = bytes
    }

    public init(hex: String) throws {
        let raw = try Hex.decode(hex)
        guard raw.count == 32 else {
            throw Hex.DecodingError(description: "a hash is 32 bytes (64 hex digits), got \(raw.count) bytes")
        }
        self.bytes = raw
    }

    public static let zero = Hash32([UInt8](repeating: 0, count: 32))

    public static func keccak(_ data: [UInt8]) -> Hash32 { Hash32(Keccak256.hash(data)) }

    public var hex: String { Hex.encode(bytes, prefix: true) }
    public var description: String { hex }

    public static func < (a: Hash32, b: Hash32) -> Bool { compareBytes(a.bytes, b.bytes) < 0 }

    /// Four word compares instead of the synthesized array equality: every dictionary and set
    /// lookup keyed by a hash ends here (the state tree's node layers, the mempool).
    public static func == (a: Hash32, b: Hash32) -> Bool {
        a.bytes.withUnsafeBytes { pa in
            b.bytes.withUnsafeBytes { pb in
                for i in 0..<4 where pa.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
                    != pb.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self) { return false }
                return true
            }
        }
    }

    /// Four words instead of 32 single bytes: hashes are dictionary and set keys on every hot
    /// path (mempool, caches, tree batches), and byte-wise `Hasher` calls showed in profiles.
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { raw in
            for i in 0..<4 { hasher.combine(raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) }
        }
    }
}

/// memcmp order of two byte arrays (shorter first on a common prefix), for `<` of fixed-size keys.
@inline(__always)
func compareBytes(_ a: [UInt8], _ b: [UInt8]) -> Int32 {
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            let common = memcmp(pa.baseAddress!, pb.baseAddress!, min(pa.count, pb.count))
            return common != 0 ? common : Int32(pa.count) - Int32(pb.count)
        }
    }
}
