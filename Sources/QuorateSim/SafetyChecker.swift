import QuorateConsensus
import QuorateCore

/// The safety properties, checked as events happen:
/// - agreement: no two honest validators commit different blocks at one height;
/// - validity: every block an honest validator commits was proposed and is valid on its parent;
/// - no honest double-signing: an honest validator never signs two different proposals,
///   prevotes or precommits for one (height, round);
/// - certificates: every commit certificate verifies against the validator set.
struct SafetyChecker {
    let chainId: UInt64
    let validators: ValidatorSet
    private var committed: [UInt64: Hash32] = [:]
    private var signed: [SignKey: [UInt8]] = [:]
    private var proposed: Set<Hash32> = []
    private var certificates: [Hash32: Bool] = [:]

    struct Problem {
        var kind: Violation.Kind
        var detail: String
    }

    private struct SignKey: Hashable {
        var validator: Int
        var height: UInt64
        var round: UInt32
        var kind: UInt8
    }

    init(chainId: UInt64, validators: ValidatorSet) {
        self.chainId = chainId
        self.validators = validators
    }

    mutating func noteProposed(_ hash: Hash32) { proposed.insert(hash) }

    mutating func honestSigned(_ message: ConsensusMessage, by validator: Int) -> Problem? {
        let key: SignKey, value: [UInt8], what: String
        switch message {
        case .proposal(let p):
            key = SignKey(validator: validator, height: p.height, round: p.round, kind: 0)
            value = p.blockHash.bytes + [p.validRound == nil ? 0 : 1] + withUnsafeBytes(of: p.validRound ?? 0) { Array($0) }
            what = "proposals"
        case .vote(let v):
            key = SignKey(validator: validator, height: v.height, round: v.round, kind: v.type.rawValue)
            value = v.blockHash?.bytes ?? []
            what = "\(v.type)s"
        }
        if let earlier = signed[key] {
            guard earlier == value else {
                return Problem(kind: .doubleSign, detail: "honest validator v\(validator) signed two different \(what) at height \(key.height) round \(key.round)")
            }
            return nil
        }
        signed[key] = value
        return nil
    }

    mutating func honestCommitted(_ c: CommittedBlock, hash: Hash32, parentHash: Hash32, by validator: Int) -> Problem? {
        let h = c.block.height
        if let first = committed[h], first != hash {
            return Problem(kind: .agreement, detail: "honest validator v\(validator) committed \(hash) at height \(h), another honest validator committed \(first)")
        }
        committed[h] = hash
        guard proposed.contains(hash) else {
            return Problem(kind: .validity, detail: "v\(validator) committed \(hash) at height \(h), which nobody proposed")
        }
        let header = c.block.header
        guard header.parentHash == parentHash, header.gasUsed <= header.gasLimit, header.chainId == chainId else {
            return Problem(kind: .validity, detail: "v\(validator) committed an invalid block \(hash) at height \(h)")
        }
        guard c.certificate.height == h, c.certificate.blockHash == hash, certificateVerifies(c.certificate) else {
            return Problem(kind: .certificate, detail: "v\(validator)'s certificate for height \(h) does not verify")
        }
        return nil
    }

    /// Each distinct certificate is verified once.
    mutating func certificateVerifies(_ certificate: CommitCertificate) -> Bool {
        let id = certificate.hash
        if let known = certificates[id] { return known }
        let ok = (try? certificate.verify(validators: validators, chainId: chainId)) != nil
        certificates[id] = ok
        return ok
    }
}
