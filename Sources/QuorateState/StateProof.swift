import QuorateCore

/// Proof that a key holds a value (inclusion) or holds none (exclusion) in the tree at a root.
///
/// The path from the root runs along the key's bits; `siblings[i]` is the other child of the
/// internal node at depth i. The path ends in one of:
/// - the key's own leaf (`value` set): inclusion;
/// - an empty subtree (`value` and `terminal` nil): exclusion;
/// - another key's leaf (`terminal` set): exclusion, since a leaf sits at the prefix unique to it,
///   no other key can live under that prefix.
public struct StateProof: Equatable, Sendable {
    /// The leaf that ends an exclusion path, named by its key and the hash of its value.
    public struct Leaf: Equatable, Sendable {
        public let key: Hash32
        public let valueHash: Hash32
        public init(key: Hash32, valueHash: Hash32) {
            self.key = key
            self.valueHash = valueHash
        }
    }

    /// A path has at most one internal node per key bit.
    public static let maxSiblings = 256

    public let key: Hash32
    public let value: [UInt8]?
    public let siblings: [Hash32]
    public let terminal: Leaf?

    public init(key: Hash32, value: [UInt8]?, siblings: [Hash32], terminal: Leaf?) {
        precondition(value == nil || terminal == nil, "a proof ends in the key's leaf or in another one, not both")
        precondition(siblings.count <= StateProof.maxSiblings, "a path has at most 256 siblings")
        self.key = key
        self.value = value
        self.siblings = siblings
        self.terminal = terminal
    }

    /// True when the proof recomputes `root`, and has the shape the tree gives (so that one state
    /// has exactly one proof per key).
    public func verify(root: Hash32) -> Bool {
        var hash: Hash32
        if let value {
            hash = StateNode.leafHash(key: key, valueHash: Hash32.keccak(value))
        } else if let terminal {
            // The other leaf must sit under this key's prefix, and be a different key.
            guard terminal.key != key, terminal.key.commonPrefixBits(with: key) >= siblings.count else { return false }
            hash = StateNode.leafHash(key: terminal.key, valueHash: terminal.valueHash)
        } else {
            hash = Hash32.zero
        }
        // Beside a leaf or an empty subtree there is never an empty one: such a parent collapses.
        if let last = siblings.last, last == Hash32.zero { return false }
        for depth in stride(from: siblings.count - 1, through: 0, by: -1) {
            let sibling = siblings[depth]
            hash = key.pathBit(depth) == 0
                ? StateNode.internalHash(left: hash, right: sibling)
                : StateNode.internalHash(left: sibling, right: hash)
        }
        return hash == root
    }
}

extension StateProof {
    private enum Kind: UInt8 {
        case absentEmpty = 0, present = 1, absentOtherLeaf = 2
    }

    /// Binary encoding, for RPC and storage:
    /// kind (1: 0 absent/empty, 1 present, 2 absent/other leaf) || key (32)
    /// || [present: value length (4, big-endian) || value] [other leaf: key (32) || valueHash (32)]
    /// || sibling count (2, big-endian, at most 256) || siblings (32 each, root first).
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1 + 32 + 68 + 2 + 32 * siblings.count + (value?.count ?? 0))
        if let value {
            out.append(Kind.present.rawValue)
            out += key.bytes
            let count = UInt32(value.count)
            out += [UInt8(count >> 24), UInt8(truncatingIfNeeded: count >> 16), UInt8(truncatingIfNeeded: count >> 8), UInt8(truncatingIfNeeded: count)]
            out += value
        } else if let terminal {
            out.append(Kind.absentOtherLeaf.rawValue)
            out += key.bytes + terminal.key.bytes + terminal.valueHash.bytes
        } else {
            out.append(Kind.absentEmpty.rawValue)
            out += key.bytes
        }
        out += [UInt8(siblings.count >> 8), UInt8(siblings.count & 0xff)]
        for sibling in siblings { out += sibling.bytes }
        return out
    }

    /// Decodes untrusted bytes: every length is checked against what is left before anything is
    /// allocated, and trailing bytes are refused so that one proof has one encoding.
    public init(decoding bytes: [UInt8]) throws {
        var reader = ByteReader(bytes)
        guard let kind = Kind(rawValue: try reader.take(1)[0]) else {
            throw StateError.malformedProof("unknown kind byte \(bytes[0])")
        }
        let key = Hash32(try reader.take(32))
        var value: [UInt8]? = nil
        var terminal: Leaf? = nil
        switch kind {
        case .present:
            let length = try reader.take(4).reduce(0) { $0 << 8 | Int($1) }
            value = try reader.take(length)
        case .absentOtherLeaf:
            terminal = Leaf(key: Hash32(try reader.take(32)), valueHash: Hash32(try reader.take(32)))
        case .absentEmpty:
            break
        }
        let count = try reader.take(2).reduce(0) { $0 << 8 | Int($1) }
        guard count <= StateProof.maxSiblings else {
            throw StateError.malformedProof("\(count) siblings, at most \(StateProof.maxSiblings) allowed")
        }
        var siblings: [Hash32] = []
        siblings.reserveCapacity(count)
        for _ in 0..<count { siblings.append(Hash32(try reader.take(32))) }
        guard reader.isAtEnd else {
            throw StateError.malformedProof("\(bytes.count - reader.offset) trailing bytes")
        }
        self.init(key: key, value: value, siblings: siblings, terminal: terminal)
    }
}

/// Bounds-checked reads from untrusted bytes.
private struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func take(_ count: Int) throws -> [UInt8] {
        guard count >= 0, count <= bytes.count - offset else {
            throw StateError.malformedProof("truncated: wanted \(count) bytes at offset \(offset), \(bytes.count - offset) left")
        }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }
}
