import QuorateCrypto

/// One validator: its consensus identity (the address of its signing key), the P2P node key
/// that the network allowlists, and its voting power.
public struct Validator: Equatable, Sendable {
    public var address: Address
    /// Compressed secp256k1 public key (33 bytes) of the node's P2P identity.
    public var nodeKey: [UInt8]
    public var power: UInt64

    public init(address: Address, nodeKey: [UInt8], power: UInt64 = 1) {
        self.address = address
        self.nodeKey = nodeKey
        self.power = power
    }

    var rlp: RLPItem { .list([RLPItem(address), RLPItem(bytes: nodeKey), RLPItem(power)]) }

    init(rlp: RLPItem) throws {
        let f = try rlp.listValue()
        guard f.count == 3 else { throw RLPError(description: "validator: expected 3 fields, got \(f.count)") }
        self.init(address: try f[0].addressValue(), nodeKey: try f[1].bytesValue(), power: try f[2].uint64Value())
    }
}

public struct ValidatorSetError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(description: String) { self.description = description }
}

/// The validators of a height, sorted by address: the order is part of consensus (proposer
/// rotation, hashing), so it never depends on how the set was written down.
public struct ValidatorSet: Equatable, Sendable {
    public static let maxValidators = 256
    public let validators: [Validator]
    public let totalPower: UInt64

    public init(_ validators: [Validator]) throws {
        guard !validators.isEmpty else { throw ValidatorSetError(description: "the validator set is empty") }
        guard validators.count <= ValidatorSet.maxValidators else {
            throw ValidatorSetError(description: "\(validators.count) validators exceed the limit of \(ValidatorSet.maxValidators)")
        }
        let sorted = validators.sorted { $0.address < $1.address }
        var total: UInt64 = 0
        for (i, v) in sorted.enumerated() {
            if i > 0, sorted[i - 1].address == v.address {
                throw ValidatorSetError(description: "validator \(v.address) is listed twice")
            }
            guard v.power > 0 else { throw ValidatorSetError(description: "validator \(v.address) has zero voting power") }
            guard v.nodeKey.isEmpty || v.nodeKey.count == 33 else {
                throw ValidatorSetError(description: "validator \(v.address): nodeKey must be a 33-byte compressed public key")
            }
            let (sum, overflow) = total.addingReportingOverflow(v.power)
            guard !overflow, sum <= UInt64(Int64.max) else {
                throw ValidatorSetError(description: "total voting power overflows")
            }
            total = sum
        }
        self.validators = sorted
        self.totalPower = total
    }

    public var count: Int { validators.count }

    /// Voting power strictly greater than two thirds of the total: 2f+1 of n = 3f+1 equal weights.
    public var quorumPower: UInt64 { totalPower * 2 / 3 + 1 }

    /// Voting power that guarantees at least one honest validator: f+1.
    public var oneThirdPlusOnePower: UInt64 { totalPower / 3 + 1 }

    public func index(of address: Address) -> Int? {
        var lo = 0, hi = validators.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if validators[mid].address == address { return mid }
            if validators[mid].address < address { lo = mid + 1 } else { hi = mid - 1 }
        }
        return nil
    }

    public func contains(_ address: Address) -> Bool { index(of: address) != nil }

    public func power(of address: Address) -> UInt64 { index(of: address).map { validators[$0].power } ?? 0 }

    /// Deterministic round-robin over the sorted set by (height, round).
    public func proposer(height: UInt64, round: UInt32) -> Address {
        let slot = (height &+ UInt64(round)) % UInt64(validators.count)
        return validators[Int(slot)].address
    }

    public var rlp: RLPItem { .list(validators.map(\.rlp)) }

    public init(rlp: RLPItem) throws {
        let items = try rlp.listValue()
        guard items.count <= ValidatorSet.maxValidators else {
            throw ValidatorSetError(description: "\(items.count) validators exceed the limit of \(ValidatorSet.maxValidators)")
        }
        try self.init(try items.map { try Validator(rlp: $0) })
    }

    public var hash: Hash32 { Hash32.keccak(RLP.encode(rlp)) }
}

extension ValidatorSet {
    /// The set after `change`, or a thrown error naming why the change cannot apply: a validator
    /// or node key listed twice, removing one that is not there, leaving no validator, or more
    /// than `maxValidators`.
    public func applying(_ change: ValidatorChange) throws -> ValidatorSet {
        switch change {
        case .add(let validator):
            guard !contains(validator.address) else {
                throw ValidatorSetError(description: "\(validator.address.checksummed) is already a validator")
            }
            guard !validators.contains(where: { $0.nodeKey == validator.nodeKey }) else {
                throw ValidatorSetError(description: "node key \(Hex.encode(validator.nodeKey, prefix: true)) already belongs to a validator")
            }
            guard count < ValidatorSet.maxValidators else {
                throw ValidatorSetError(description: "the set already has the maximum of \(ValidatorSet.maxValidators) validators")
            }
            return try ValidatorSet(validators + [validator])
        case .remove(let address):
            guard contains(address) else {
                throw ValidatorSetError(description: "\(address.checksummed) is not a validator")
            }
            guard count > 1 else {
                throw ValidatorSetError(description: "removing \(address.checksummed) would leave no validator")
            }
            return try ValidatorSet(validators.filter { $0.address != address })
        }
    }

    public func encoded() -> [UInt8] { RLP.encode(rlp) }
}
