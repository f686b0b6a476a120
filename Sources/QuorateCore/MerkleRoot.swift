/// Binary Merkle root over an ordered list of leaf hashes (transactions, receipts).
///
/// Leaves and inner nodes are domain-separated (0x00 / 0x01, as RFC 6962) so that a leaf can
/// never be passed off as an inner node. An odd node is promoted unchanged to the next level.
/// The root of no leaves is `Hash32.zero`.
public enum MerkleRoot {
    public static func compute(_ leaves: [Hash32]) -> Hash32 {
        guard !leaves.isEmpty else { return .zero }
        var level = leaves.map { Hash32.keccak([0x00] + $0.bytes) }
        while level.count > 1 {
            var next = [Hash32]()
            next.reserveCapacity((level.count + 1) / 2)
            var i = 0
            while i + 1 < level.count {
                next.append(Hash32.keccak([0x01] + level[i].bytes + level[i + 1].bytes))
                i += 2
            }
            if i < level.count { next.append(level[i]) }
            level = next
        }
        return level[0]
    }
}
