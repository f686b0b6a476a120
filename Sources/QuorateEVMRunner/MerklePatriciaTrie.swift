import QuorateCore
import QuorateCrypto

/// The root of Ethereum's Merkle Patricia trie over a set of keys and values (Yellow Paper,
/// appendix D), built in one pass from the sorted keys: the runner only needs the root, never
/// proofs or updates.
public enum MerklePatriciaTrie {
    /// The root of the trie with no entries: keccak256 of RLP("").
    public static let emptyRoot = Hash32(Keccak256.hash([0x80]))

    /// Keys must be distinct; values must not be empty (an empty value means "absent").
    public static func root(_ entries: [(key: [UInt8], value: [UInt8])]) -> Hash32 {
        if entries.isEmpty { return emptyRoot }
        let sorted = entries.map { Entry(path: nibbles($0.key), value: $0.value) }
            .sorted { lexicographicallyPrecedes($0.path, $1.path) }
        for i in 1..<sorted.count {
            precondition(sorted[i - 1].path != sorted[i].path, "a trie key appears twice")
        }
        return Hash32(Keccak256.hash(RLP.encode(node(sorted[...], depth: 0))))
    }

    /// The secure trie Ethereum keeps accounts and storage in: every key is hashed first.
    public static func secureRoot(_ entries: [(key: [UInt8], value: [UInt8])]) -> Hash32 {
        root(entries.map { (Keccak256.hash($0.key), $0.value) })
    }

    struct Entry {
        let path: [UInt8]
        let value: [UInt8]
    }

    static func nibbles(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(b >> 4)
            out.append(b & 0x0f)
        }
        return out
    }

    static func lexicographicallyPrecedes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.lexicographicallyPrecedes(b)
    }

    /// The node holding `entries`, whose paths agree on their first `depth` nibbles.
    static func node(_ entries: ArraySlice<Entry>, depth: Int) -> RLPItem {
        let first = entries[entries.startIndex]
        if entries.count == 1 {
            return .list([.bytes(compactPath(first.path[depth...], leaf: true)), .bytes(first.value)])
        }
        // Sorted, so the prefix the first and last share is shared by all.
        let last = entries[entries.endIndex - 1]
        var shared = depth
        while shared < first.path.count && shared < last.path.count && first.path[shared] == last.path[shared] {
            shared += 1
        }
        if shared > depth {
            return .list([.bytes(compactPath(first.path[depth..<shared], leaf: false)),
                          reference(node(entries, depth: shared))])
        }
        var branch = [RLPItem](repeating: .bytes([]), count: 17)
        var i = entries.startIndex
        if first.path.count == depth {
            // A key that ends here keeps its value in the branch itself.
            branch[16] = .bytes(first.value)
            i += 1
        }
        while i < entries.endIndex {
            let nibble = entries[i].path[depth]
            var j = i + 1
            while j < entries.endIndex && entries[j].path[depth] == nibble { j += 1 }
            branch[Int(nibble)] = reference(node(entries[i..<j], depth: depth + 1))
            i = j
        }
        return .list(branch)
    }

    /// How a parent refers to a child: inline when its encoding is under 32 bytes, else by hash.
    static func reference(_ node: RLPItem) -> RLPItem {
        let encoded = RLP.encode(node)
        return encoded.count < 32 ? node : .bytes(Keccak256.hash(encoded))
    }

    /// Hex-prefix encoding: a flag nibble (leaf, odd length) then the path packed in bytes.
    static func compactPath(_ path: ArraySlice<UInt8>, leaf: Bool) -> [UInt8] {
        let odd = path.count % 2 == 1
        let flag: UInt8 = (leaf ? 2 : 0) + (odd ? 1 : 0)
        var out = [UInt8]()
        out.reserveCapacity(path.count / 2 + 1)
        var i = path.startIndex
        if odd {
            out.append(flag << 4 | path[i])
            i += 1
        } else {
            out.append(flag << 4)
        }
        while i < path.endIndex {
            out.append(path[i] << 4 | path[i + 1])
            i += 2
        }
        return out
    }
}
