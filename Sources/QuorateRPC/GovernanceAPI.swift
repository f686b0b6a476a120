import QuorateCore

/// A pending validator-set proposal as the RPC shows it.
public struct PendingProposalView: Sendable {
    public var change: ValidatorChange
    public var votes: [(voter: Address, height: UInt64, expiresAtMs: UInt64)]
    public init(change: ValidatorChange, votes: [(voter: Address, height: UInt64, expiresAtMs: UInt64)]) {
        self.change = change
        self.votes = votes
    }
}

/// Governance reads (docs/permissioning.md): the node implements it beside `RPCBackend`.
public protocol GovernanceBackend: AnyObject, Sendable {
    /// Pending proposals as they stand after the block at `height` (live votes only).
    func pendingValidatorProposals(at height: UInt64) throws -> [PendingProposalView]
    /// Non-voting node keys allowed on-chain after the block at `height`.
    func onChainNodeKeys(at height: UInt64) throws -> [[UInt8]]
}

/// `quorate_pendingVotes` and `quorate_nodeKeys`.
public enum GovernanceAPI {
    public static func register(on d: RPCDispatcher, backend: RPCBackend & GovernanceBackend) {
        d.register("quorate_pendingVotes") { p in
            try p.expectCount(0...1)
            let h = try committedHeight(try p.blockTag(at: 0, default: .latest), backend)
            // Votes in block h are counted by the set of h + 1 (the set the next block executes with).
            let validators = try backend.validators(at: h + 1)
            let passing = validators.totalPower / 2 + 1
            return [
                "blockNumber": .quantity(h),
                "nextValidators": RPCFormat.validators(validators, height: h + 1),
                "passingPower": .quantity(passing),
                "proposals": .array(try backend.pendingValidatorProposals(at: h).map { proposal in
                    proposalJSON(proposal, validators: validators, passing: passing)
                }),
            ]
        }
        d.register("quorate_nodeKeys") { p in
            try p.expectCount(0...1)
            let h = try committedHeight(try p.blockTag(at: 0, default: .latest), backend)
            return ["blockNumber": .quantity(h), "nodeKeys": .array(try backend.onChainNodeKeys(at: h).map { .data($0) })]
        }
    }

    private static func committedHeight(_ tag: BlockTag, _ backend: RPCBackend) throws -> UInt64 {
        let h = EthAPI.height(tag, backend)
        guard h <= backend.head().height else { throw RPCError.server("header not found") }
        return h
    }

    static func changeJSON(_ change: ValidatorChange) -> JSON {
        switch change {
        case .add(let v):
            return ["type": "add", "address": RPCFormat.address(v.address), "nodeKey": .data(v.nodeKey), "power": .quantity(v.power)]
        case .remove(let address):
            return ["type": "remove", "address": RPCFormat.address(address)]
        }
    }

    private static func proposalJSON(_ proposal: PendingProposalView, validators: ValidatorSet, passing: UInt64) -> JSON {
        let power = proposal.votes.reduce(UInt64(0)) { $0 + validators.power(of: $1.voter) }
        return [
            "id": RPCFormat.hash(proposal.change.id),
            "change": changeJSON(proposal.change),
            "description": .string(proposal.change.description),
            "votes": .array(proposal.votes.map {
                ["validator": RPCFormat.address($0.voter), "blockNumber": .quantity($0.height),
                 "expiresAtMs": .quantity($0.expiresAtMs)]
            }),
            "votedPower": .quantity(power),
            "passingPower": .quantity(passing),
        ]
    }
}
