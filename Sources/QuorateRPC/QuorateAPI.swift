import QuorateCore

/// The `quorate_` namespace: what Ethereum has no word for (certificates, validator sets, proofs
/// against BFT-final state roots). The admin methods are in `AdminAPI`.
enum QuorateAPI {
    static func register(on d: RPCDispatcher, backend: RPCBackend) {
        d.register("quorate_getBlockCommit") { p in
            try p.expectCount(1)
            let h = EthAPI.height(try p.blockTag(at: 0), backend)
            guard let certificate = try backend.commitCertificate(at: h) else { return .null }
            return RPCFormat.certificate(certificate)
        }
        let validators: RPCHandler = { p in
            try p.expectCount(0...1)
            let h = EthAPI.height(try p.blockTag(at: 0, default: .latest), backend)
            guard h <= backend.head().height else { throw RPCError.server("header not found") }
            return RPCFormat.validators(try backend.validators(at: h), height: h)
        }
        d.register("quorate_validators", validators)
        // The first name, kept so existing scripts keep working.
        d.register("quorate_getValidators", validators)
        d.register("quorate_getProof") { p in
            try p.expectCount(1...3)
            let address = try p.address(at: 0)
            let h = try EthAPI.stateHeight(try p.blockSelector(at: 1), backend)
            let proof = try backend.accountProof(address, at: h)
            // Contracts: storage slots (third argument) proved against the account's storage root.
            if let contracts = backend as? ContractBackend {
                let slots = try ProofAPI.slotList(try p.ifPresent(2, p.array(at:)) ?? [])
                let storage = try contracts.storageProofs(address, slots: slots.isEmpty ? [.zero] : slots, at: h)
                return [
                    "address": RPCFormat.address(proof.address),
                    "blockNumber": .quantity(proof.height),
                    "stateRoot": RPCFormat.hash(proof.stateRoot),
                    "account": proof.account.map { ["nonce": .quantity($0.nonce), "balance": .string($0.balance.hexQuantity)] } ?? .null,
                    "siblings": .array(proof.siblings.map(RPCFormat.hash)),
                    "proof": .data(proof.proof),
                    "codeHash": RPCFormat.hash(storage[0].codeHash),
                    "storageRoot": RPCFormat.hash(storage[0].storageRoot),
                    "storageProof": .array(slots.isEmpty ? [] : storage.map { s in
                        ["key": .string(s.slot.hexQuantity), "value": .string(s.value.hexQuantity),
                         "siblings": .array(s.siblings.map(RPCFormat.hash)), "proof": .data(s.proof)]
                    }),
                ]
            }
            return [
                "address": RPCFormat.address(proof.address),
                "blockNumber": .quantity(proof.height),
                "stateRoot": RPCFormat.hash(proof.stateRoot),
                "account": proof.account.map { ["nonce": .quantity($0.nonce), "balance": .string($0.balance.hexQuantity)] } ?? .null,
                "siblings": .array(proof.siblings.map(RPCFormat.hash)),
                "proof": .data(proof.proof),
            ]
        }
        d.register("quorate_getPermissions") { p in
            try p.expectCount(1...2)
            let address = try p.address(at: 0)
            let h = try EthAPI.stateHeight(try p.blockSelector(at: 1), backend) ?? backend.head().height
            let roles = Roles(rawValue: try backend.account(address, at: h).roles)
            let on = backend.accountPermissioning
            return [
                "address": RPCFormat.address(address),
                "blockNumber": .quantity(h),
                "accountPermissioning": .bool(on),
                "roles": .array(roles.names.map { .string($0) }),
                "rolesMask": .quantity(roles.rawValue),
                "canTransact": .bool(!on || roles.contains(.transact)),
                "isAdmin": .bool(on && roles.contains(.admin)),
                "permissionsAddress": RPCFormat.address(SystemAddress.permissions),
            ]
        }
        d.register("quorate_status") { p in
            try p.expectCount(0)
            let head = backend.head()
            return [
                "chainId": .quantity(backend.chainId),
                "height": .quantity(head.height),
                "headHash": RPCFormat.hash(head.hash),
                "headTimestampMs": .quantity(head.timestampMs),
                "peers": .quantity(UInt64(backend.peerCount)),
                "syncing": .bool(backend.syncStatus() != nil),
                "consensus": backend.consensusView().map { c -> JSON in
                    [
                        "height": .quantity(c.height), "round": .quantity(UInt64(c.round)), "step": .string(c.step),
                        "proposer": c.proposer.map(RPCFormat.address) ?? .null,
                        "lockedRound": c.lockedRound.map { .quantity(UInt64($0)) } ?? .null,
                        "missingPrevotes": .array(c.missingPrevotes.map(RPCFormat.address)),
                        "missingPrecommits": .array(c.missingPrecommits.map(RPCFormat.address)),
                    ]
                } ?? .null,
            ]
        }
    }
}
