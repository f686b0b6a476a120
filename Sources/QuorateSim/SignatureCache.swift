import QuorateConsensus
import QuorateCore
import QuorateCrypto
import Synchronization

/// Shared by all validators of one run: a broadcast vote reaches n-1 validators, and each would
/// otherwise recover the same signature again. The answer is the real check's, only remembered,
/// so the machines behave exactly as with `Secp256k1SignatureVerifier`.
final class SignatureCache: ConsensusSignatureVerifier {
    private struct Key: Hashable {
        var fields: [UInt8]
        var signer: Address
        var signature: [UInt8]
    }

    private let known = Mutex<[Key: Bool]>([:])

    func isValid(_ vote: Vote, chainId: UInt64) -> Bool {
        let key = Key(fields: Vote.signBytes(chainId: chainId, type: vote.type, height: vote.height, round: vote.round,
                                             blockHash: vote.blockHash),
                      signer: vote.validator, signature: vote.signature.compact65)
        return lookup(key) { vote.hasValidSignature(chainId: chainId) }
    }

    func isValid(_ proposal: Proposal, chainId: UInt64) -> Bool {
        let key = Key(fields: Proposal.signBytes(chainId: chainId, height: proposal.height, round: proposal.round,
                                                 validRound: proposal.validRound, blockHash: proposal.blockHash),
                      signer: proposal.proposer, signature: proposal.signature.compact65)
        return lookup(key) { proposal.hasValidSignature(chainId: chainId) }
    }

    private func lookup(_ key: Key, compute: () -> Bool) -> Bool {
        if let cached = known.withLock({ $0[key] }) { return cached }
        let result = compute()
        known.withLock { $0[key] = result }
        return result
    }
}
