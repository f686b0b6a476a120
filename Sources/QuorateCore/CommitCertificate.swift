import QuorateCrypto

public struct CommitSignature: Equatable, Sendable {
    public var validator: Address
    public var signature: Secp256k1.RecoverableSignature

    public init(validator: Address, signature: Secp256k1.RecoverableSignature) {
        self.validator = validator
        self.signature = signature
    }
}

public struct CertificateError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(description: String) { self.description = description }
}

/// Precommits of more than two thirds of the voting power for one block at one (height, round).
/// Anyone holding the validator set of that height can check finality offline.
public struct CommitCertificate: Equatable, Sendable {
    public var height: UInt64
    public var round: UInt32
    public var blockHash: Hash32
    /// Sorted by validator address, one per validator.
    public var signatures: [CommitSignature]

    public init(height: UInt64, round: UInt32, blockHash: Hash32, signatures: [CommitSignature]) {
        self.height = height
        self.round = round
        self.blockHash = blockHash
        self.signatures = signatures.sorted { $0.validator < $1.validator }
    }

    /// Builds a certificate from precommits for one block; the caller has checked them.
    public init(precommits: [Vote]) {
        precondition(!precommits.isEmpty, "a certificate needs precommits")
        let first = precommits[0]
        precondition(precommits.allSatisfy {
            $0.type == .precommit && $0.height == first.height && $0.round == first.round && $0.blockHash == first.blockHash
        }, "precommits of a certificate agree on height, round and block")
        self.init(height: first.height, round: first.round, blockHash: first.blockHash!,
                  signatures: precommits.map { CommitSignature(validator: $0.validator, signature: $0.signature) })
    }

    /// Checks every signature and that the signers hold a quorum of `validators`. Returns the power.
    @discardableResult
    public func verify(validators: ValidatorSet, chainId: UInt64) throws -> UInt64 {
        guard signatures.count <= validators.count else {
            throw CertificateError(description: "certificate has more signatures (\(signatures.count)) than validators (\(validators.count))")
        }
        let digest = Keccak256.hash(Vote.signBytes(chainId: chainId, type: .precommit, height: height, round: round,
                                                   blockHash: blockHash))
        var power: UInt64 = 0
        var previous: Address?
        for entry in signatures {
            if let previous, !(previous < entry.validator) {
                throw CertificateError(description: "certificate signers are not sorted and unique (at \(entry.validator))")
            }
            previous = entry.validator
            guard validators.contains(entry.validator) else {
                throw CertificateError(description: "certificate signer \(entry.validator) is not a validator at height \(height)")
            }
            guard let key = try? entry.signature.recoverPublicKey(hash: digest),
                  key.ethereumAddress == entry.validator.bytes else {
                throw CertificateError(description: "certificate signature of \(entry.validator) does not verify")
            }
            power += validators.power(of: entry.validator)
        }
        guard power >= validators.quorumPower else {
            throw CertificateError(description: "certificate holds voting power \(power), below the quorum of \(validators.quorumPower)")
        }
        return power
    }

    public var rlp: RLPItem {
        .list([
            RLPItem(height), RLPItem(UInt64(round)), RLPItem(blockHash),
            .list(signatures.map { .list([RLPItem($0.validator), RLPItem(bytes: $0.signature.compact65)]) }),
        ])
    }

    public init(rlp: RLPItem) throws {
        let f = try rlp.listValue()
        guard f.count == 4 else { throw RLPError(description: "commit certificate: expected 4 fields, got \(f.count)") }
        let round = try f[1].uint64Value()
        guard round <= UInt64(UInt32.max) else { throw RLPError(description: "commit certificate: round out of range") }
        let entries = try f[3].listValue()
        guard entries.count <= ValidatorSet.maxValidators else {
            throw RLPError(description: "commit certificate: \(entries.count) signatures exceed the limit of \(ValidatorSet.maxValidators)")
        }
        let signatures = try entries.map { item -> CommitSignature in
            let pair = try item.listValue()
            guard pair.count == 2 else { throw RLPError(description: "commit certificate: malformed signature entry") }
            return CommitSignature(validator: try pair[0].addressValue(),
                                   signature: try Secp256k1.RecoverableSignature(compact65: try pair[1].bytesValue()))
        }
        self.height = try f[0].uint64Value()
        self.round = UInt32(round)
        self.blockHash = try f[2].hash32Value()
        // Keep the order as sent: `verify` refuses an unsorted list rather than silently fixing it.
        self.signatures = signatures
    }

    public func encoded() -> [UInt8] { RLP.encode(rlp) }
    public var hash: Hash32 { Hash32.keccak(encoded()) }
}
