import QuorateCore

/// P2P keys of non-voting nodes that admins allowed on-chain (transactions to
/// `SystemAddress.nodes`); every node's allowlist includes them. One record in the state tree.
public struct OnChainNodeKeys: Equatable, Sendable {
    /// Keys allowed at once; adding one more is refused.
    public static let maxKeys = 1_024
    /// The state-tree key of the record (not the keccak of any 20-byte address).
    public static let stateKey = Hash32.keccak(Array("quorate/governance/node-keys".utf8))

    /// Sorted, each 33 bytes.
    public private(set) var keys: [[UInt8]] = []

    public init() {}

    public func encoded() -> [UInt8] {
        keys.isEmpty ? [] : RLP.encode(.list(keys.map { RLPItem(bytes: $0) }))
    }

    public init(decoding bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        let items = try RLP.decode(bytes).listValue()
        guard items.count <= OnChainNodeKeys.maxKeys else {
            throw RLPError(description: "node keys: \(items.count) exceed \(OnChainNodeKeys.maxKeys)")
        }
        keys = try items.map { try $0.bytesValue() }
    }

    /// Applies an admin's command; adding a key that is there or removing one that is not
    /// changes nothing (as granting a role twice does).
    public mutating func apply(_ command: NodeKeyCommand) throws {
        let position = keys.firstIndex { !$0.lexicographicallyPrecedes(command.nodeKey) } ?? keys.count
        let present = position < keys.count && keys[position] == command.nodeKey
        switch command.operation {
        case .add:
            guard !present else { return }
            guard keys.count < OnChainNodeKeys.maxKeys else {
                throw TransactionRejection(.invalidSystemTransaction,
                                           "invalid node transaction: \(OnChainNodeKeys.maxKeys) node keys are allowed already, the limit")
            }
            keys.insert(command.nodeKey, at: position)
        case .remove:
            if present { keys.remove(at: position) }
        }
    }

    /// Applies `command` to the record in `state`.
    public static func apply(_ command: NodeKeyCommand, state: inout StateOverlay) throws {
        var record = try OnChainNodeKeys(decoding: state.stateValue(stateKey))
        try record.apply(command)
        state.setStateValue(stateKey, record.encoded())
    }
}
