import QuorateCore

/// One stored node of the sparse Merkle tree.
///
/// Encoding (what the store holds under the node's hash):
/// - leaf:     0x00 || keyHash (32) || value (rest, any length)
/// - internal: 0x01 || left hash (32) || right hash (32)
/// The leaf stores the value itself so that reads need no second table; its hash commits to the
/// value through keccak(value), which lets an exclusion proof name another leaf by 64 bytes.
/// The empty subtree is Hash32.zero and is never stored.
enum StateNode: Equatable {
    case leaf(key: Hash32, value: [UInt8])
    case `internal`(left: Hash32, right: Hash32)

    static let leafTag: UInt8 = 0x00
    static let internalTag: UInt8 = 0x01

    /// keccak(0x00 || keyHash || valueHash)
    static func leafHash(key: Hash32, valueHash: Hash32) -> Hash32 {
        Hash32.keccak([leafTag] + key.bytes + valueHash.bytes)
    }

    /// keccak(0x01 || left || right)
    static func internalHash(left: Hash32, right: Hash32) -> Hash32 {
        Hash32.keccak([internalTag] + left.bytes + right.bytes)
    }

    var hash: Hash32 {
        switch self {
        case .leaf(let key, let value): return StateNode.leafHash(key: key, valueHash: Hash32.keccak(value))
        case .internal(let left, let right): return StateNode.internalHash(left: left, right: right)
        }
    }

    var encoded: [UInt8] {
        switch self {
        case .leaf(let key, let value): return [StateNode.leafTag] + key.bytes + value
        case .internal(let left, let right): return [StateNode.internalTag] + left.bytes + right.bytes
        }
    }

    /// Decodes a stored node and checks it against the hash it was stored under: a store that
    /// returns the wrong bytes (disk corruption, a bug in a writer) is caught here, not in a root
    /// mismatch three blocks later.
    init(decoding bytes: [UInt8], expectedHash: Hash32, checkHash: Bool = true) throws {
        guard let tag = bytes.first else {
            throw StateError.corruptNode(expectedHash, reason: "empty encoding")
        }
        switch tag {
        case StateNode.leafTag where bytes.count >= 33:
            self = .leaf(key: Hash32(Array(bytes[1..<33])), value: Array(bytes[33...]))
        case StateNode.internalTag where bytes.count == 65:
            self = .internal(left: Hash32(Array(bytes[1..<33])), right: Hash32(Array(bytes[33..<65])))
        default:
            throw StateError.corruptNode(expectedHash, reason: "tag \(tag) with \(bytes.count) bytes")
        }
        guard !checkHash || hash == expectedHash else {
            throw StateError.corruptNode(expectedHash, reason: "content hashes to \(hash.hex)")
        }
    }
}

extension StateNodeReader {
    /// Loads and checks a node; a missing node is an error, never a crash.
    func loadNode(_ hash: Hash32) throws -> StateNode {
        precondition(hash != Hash32.zero, "the empty subtree is never loaded")
        if let computed = computedStateNode(hash) {
            return try StateNode(decoding: computed, expectedHash: hash, checkHash: false)
        }
        guard let bytes = try stateNode(hash) else { throw StateError.missingNode(hash) }
        return try StateNode(decoding: bytes, expectedHash: hash)
    }
}

extension Hash32 {
    /// Bit `index` of the key, MSB of byte 0 first: the path from the root (0 = left, 1 = right).
    func pathBit(_ index: Int) -> Int {
        precondition(index >= 0 && index < 256, "a path has 256 bits")
        return Int(bytes[index >> 3] >> (7 - UInt8(index & 7))) & 1
    }

    /// Number of leading path bits this key shares with `other`.
    func commonPrefixBits(with other: Hash32) -> Int {
        for i in 0..<32 where bytes[i] != other.bytes[i] {
            return i * 8 + (bytes[i] ^ other.bytes[i]).leadingZeroBitCount
        }
        return 256
    }
}
