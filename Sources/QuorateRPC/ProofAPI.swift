import QuorateCore

/// eth_getProof in EIP-1186's shape, with Quorate's own proofs (docs/json-rpc.md): each of
/// `accountProof` and `storageProof[i].proof` holds one element, the canonical encoding of a
/// sparse-Merkle-tree proof (QuorateState's StateProof), against the block's state root and
/// the account's storage root respectively.
enum ProofAPI {
    /// Storage slots one request may prove.
    static let maxSlots = 1_000

    static func register(on d: RPCDispatcher, backend: ContractBackend) {
        d.register("eth_getProof") { p in
            try p.expectCount(2...3)
            let address = try p.address(at: 0)
            let slots = try slotList(try p.array(at: 1))
            let height = try EthAPI.stateHeight(try p.blockSelector(at: 2), backend)
            let account = try backend.accountProof(address, at: height)
            let storage = try backend.storageProofs(address, slots: slots, at: height)
            let meta = try storage.first ?? backend.storageProofs(address, slots: [.zero], at: height).first!
            return [
                "address": RPCFormat.address(address),
                "accountProof": [.data(account.proof)],
                "balance": .string((account.account?.balance ?? .zero).hexQuantity),
                "codeHash": .data(meta.codeHash.bytes),
                "nonce": .quantity(account.account?.nonce ?? 0),
                "storageHash": .data(meta.storageRoot.bytes),
                "storageProof": .array(storage.map { s in
                    ["key": .string(s.slot.hexQuantity), "value": .string(s.value.hexQuantity), "proof": [.data(s.proof)]]
                }),
            ]
        }
    }

    static func slotList(_ items: [JSON]) throws(RPCError) -> [UInt256] {
        guard items.count <= maxSlots else { throw RPCError.invalidParams("invalid argument 1: at most \(maxSlots) storage keys") }
        var slots = [UInt256]()
        for item in items {
            // A 32-byte key ("0x00…05") or a quantity ("0x5"), as geth takes both.
            guard let text = item.stringValue, let slot = UInt256(hexQuantity: text) else {
                throw RPCError.invalidParams("invalid argument 1: storage keys are hex of at most 32 bytes")
            }
            slots.append(slot)
        }
        return slots
    }
}
