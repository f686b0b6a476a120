import QuorateCore

/// Where the state tree's nodes live: content-addressed, hash -> encoded node.
/// LevelDB-backed in the node, dictionary-backed (`MemoryNodeStore`) in tests and the simulator.
/// Returns nil for a node it does not hold; the tree turns that into `StateError.missingNode`.
public protocol StateNodeReader {
    func stateNode(_ hash: Hash32) throws -> [UInt8]?
    /// A node this process computed itself and still holds in memory (not yet written, or kept
    /// for recent heights), or nil. Trusted: loading it skips the hash check that guards reads
    /// from disk against corruption.
    func computedStateNode(_ hash: Hash32) -> [UInt8]?
}

extension StateNodeReader {
    public func computedStateNode(_ hash: Hash32) -> [UInt8]? { nil }
}

/// The nodes one batch created and the root they lead to. Writing `newNodes` (in any order, but
/// the given order is deterministic) next to the block that commits `newRoot` makes the new state
/// readable; nodes of older roots are untouched, so historical reads keep working.
public struct StateUpdate: Sendable {
    public let newRoot: Hash32
    /// Nodes of the new tree that were not in the tree at the old root, children before parents.
    /// A node that an even older root already held (a delete that restores an earlier state) may
    /// appear again: writing it is idempotent in a content-addressed store.
    public let newNodes: [(hash: Hash32, encoded: [UInt8])]
    /// Nodes of the old root's tree that the new tree no longer holds (pruning's input).
    public let staleNodes: [Hash32]

    public init(newRoot: Hash32, newNodes: [(hash: Hash32, encoded: [UInt8])], staleNodes: [Hash32] = []) {
        self.newRoot = newRoot
        self.newNodes = newNodes
        self.staleNodes = staleNodes
    }
}

/// Errors a user can meet when the state store or a proof is not what it should be.
public enum StateError: Error, CustomStringConvertible, Equatable, Sendable {
    case missingNode(Hash32)
    case corruptNode(Hash32, reason: String)
    case malformedProof(String)
    case malformedAccount(String)

    public var description: String {
        switch self {
        case .missingNode(let hash):
            return "state node \(hash.hex) missing: the store is incomplete "
                + "(pruned, or a root this node never committed); resync the state or restore the data directory from a backup"
        case .corruptNode(let hash, let reason):
            return "state node \(hash.hex) is corrupt (\(reason)): the store cannot be trusted; "
                + "restore the data directory from a backup or resync"
        case .malformedProof(let reason):
            return "malformed state proof: \(reason)"
        case .malformedAccount(let reason):
            return "malformed account encoding: \(reason)"
        }
    }
}

/// A dictionary-backed node store, for tests and the deterministic simulator.
public struct MemoryNodeStore: StateNodeReader, Sendable {
    public private(set) var nodes: [Hash32: [UInt8]] = [:]

    public init() {}

    public func stateNode(_ hash: Hash32) throws -> [UInt8]? { nodes[hash] }

    /// Stores the batch's new nodes; what a block commit does with its WriteBatch.
    public mutating func insert(_ update: StateUpdate) {
        for node in update.newNodes { nodes[node.hash] = node.encoded }
    }

    /// Drops one node, so that tests can show what an incomplete store does.
    public mutating func remove(_ hash: Hash32) { nodes[hash] = nil }
}
