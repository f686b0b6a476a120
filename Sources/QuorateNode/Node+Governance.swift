import QuorateCore
import QuorateRPC
import QuorateState
import QuorateStorage

extension Node: GovernanceBackend {
    public func pendingValidatorProposals(at height: UInt64) throws -> [PendingProposalView] {
        try store.pendingValidatorVotes(at: height).proposals.map { proposal in
            PendingProposalView(change: proposal.change, votes: proposal.votes.map { (voter: $0.voter, height: $0.height, expiresAtMs: $0.expiresAtMs) })
        }
    }

    public func onChainNodeKeys(at height: UInt64) throws -> [[UInt8]] {
        guard let header = try store.block(at: height)?.header else { throw StoreError("no block \(height)") }
        return try OnChainNodeKeys(decoding: store.stateValue(OnChainNodeKeys.stateKey, stateRoot: header.stateRoot) ?? []).keys
    }
}
