import QuorateCore

/// A tree node received from a peer (state sync), checked against the hash its verified parent
/// (or the certified state root) names.
public enum VerifiedStateNode: Equatable, Sendable {
    case leaf(key: Hash32, value: [UInt8])
    case `internal`(children: [Hash32])
}

extension SparseMerkleTree {
    /// Decodes `encoded` and checks it hashes to `hash`; throws `StateError.corruptNode` naming
    /// the hash and what is wrong otherwise. Empty children (Hash32.zero) are left out.
    public static func verifyNode(_ encoded: [UInt8], hash: Hash32) throws -> VerifiedStateNode {
        switch try StateNode(decoding: encoded, expectedHash: hash) {
        case .leaf(let key, let value): return .leaf(key: key, value: value)
        case .internal(let left, let right): return .internal(children: [left, right].filter { $0 != Hash32.zero })
        }
    }
}
