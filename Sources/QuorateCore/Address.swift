import QuorateCrypto

/// A 20-byte account address: the last 20 bytes of keccak256 of the uncompressed public key.
public struct Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let byteCount = 20
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) {
        precondition(bytes.count == Address.byteCount, "an address is 20 bytes")
        self.bytes = bytes
    }

    public init(hex: String) throws {
        let raw = try Hex.decode(hex)
        guard raw.count == Address.byteCount else {
            throw Hex.DecodingError(description: "an address is 20 bytes (40 hex digits), got \(raw.count) bytes")
        }
        self.bytes = raw
    }

    public static let zero = Address([UInt8](repeating: 0, count: 20))

    /// Lowercase hex with `0x`.
    public var hex: String { Hex.encode(bytes, prefix: true) }

    /// EIP-55 mixed-case checksum form, as wallets display addresses.
    public var checksummed: String {
        let lower = Hex.encode(bytes)
        let hash = Keccak256.hash(Array(lower.utf8))
        var out = "0x"
        for (i, ch) in lower.enumerated() {
            let nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0x0f
            out.append(nibble >= 8 ? Character(ch.uppercased()) : ch)
        }
        return out
    }

    public var description: String { checksummed }

    public static func < (a: Address, b: Address) -> Bool { compareBytes(a.bytes, b.bytes) < 0 }

    /// Three words instead of 20 single bytes (as `Hash32`): addresses key the mempool and the
    /// state overlay.
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { raw in
            hasher.combine(raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
            hasher.combine(raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            hasher.combine(raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        }
    }
}
