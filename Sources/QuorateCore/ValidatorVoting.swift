import QuorateCrypto

/// A change to the validator set that the current validators vote on. Its encoding is both the
/// vote payload (after the op byte) and, hashed, the proposal's id; docs/permissioning.md section 9.
public enum ValidatorChange: Equatable, Sendable, CustomStringConvertible {
    /// Add a validator: its address (consensus key), P2P node key and voting power.
    case add(Validator)
    /// Remove the validator with this address.
    case remove(Address)

    /// `0x01 || address (20) || node key (33) || power (8, big-endian)`: 62 bytes.
    public static let addEncodedCount = 62
    /// `0x02 || address (20)`: 21 bytes.
    public static let removeEncodedCount = 21

    public func encoded() -> [UInt8] {
        switch self {
        case .add(let v): return [0x01] + v.address.bytes + v.nodeKey + bigEndianBytes(v.power)
        case .remove(let address): return [0x02] + address.bytes
        }
    }

    /// The proposal id: keccak256 of the encoding, what a withdrawal names.
    public var id: Hash32 { Hash32.keccak(encoded()) }

    /// The validator this change is about.
    public var address: Address {
        switch self {
        case .add(let v): return v.address
        case .remove(let address): return address
        }
    }

    public init(decoding data: [UInt8]) throws {
        guard let op = data.first else { throw ValidatorVoteError("empty payload (0x01 add, 0x02 remove, 0x03 withdraw)") }
        switch op {
        case 0x01:
            guard data.count == ValidatorChange.addEncodedCount else {
                throw ValidatorVoteError("add: expected \(ValidatorChange.addEncodedCount) bytes (op, address, node key, power), got \(data.count)")
            }
            let nodeKey = Array(data[21..<54])
            guard (try? Secp256k1.PublicKey(bytes: nodeKey)) != nil, nodeKey[0] == 0x02 || nodeKey[0] == 0x03 else {
                throw ValidatorVoteError("add: the node key is not a 33-byte compressed secp256k1 public key")
            }
            let power = data[54...].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard power > 0 else { throw ValidatorVoteError("add: voting power must be at least 1") }
            guard power <= ValidatorChange.maxPower else {
                throw ValidatorVoteError("add: voting power \(power) exceeds the limit of \(ValidatorChange.maxPower)")
            }
            let address = Address(Array(data[1..<21]))
            // 16 leading zero bytes: the zero address, the precompiles and the system addresses.
            guard !address.bytes.prefix(16).allSatisfy({ $0 == 0 }) else {
                throw ValidatorVoteError("add: \(address) is the zero address or a system address; nobody holds its key, so it could never sign")
            }
            self = .add(Validator(address: address, nodeKey: nodeKey, power: power))
        case 0x02:
            guard data.count == ValidatorChange.removeEncodedCount else {
                throw ValidatorVoteError("remove: expected \(ValidatorChange.removeEncodedCount) bytes (op, address), got \(data.count)")
            }
            self = .remove(Address(Array(data[1..<21])))
        default:
            throw ValidatorVoteError("unknown operation 0x\(String(op, radix: 16)) (0x01 add, 0x02 remove, 0x03 withdraw)")
        }
    }

    /// The largest power one validator may be given by vote: keeps any set of 256 within the
    /// total-power bound `ValidatorSet` enforces (Int64.max).
    public static let maxPower: UInt64 = 1 << 40

    public var description: String {
        switch self {
        case .add(let v): return "add validator \(v.address.checksummed) (node key \(Hex.encode(v.nodeKey, prefix: true)), power \(v.power))"
        case .remove(let address): return "remove validator \(address.checksummed)"
        }
    }
}

/// The `data` of a transaction to `SystemAddress.validatorVotes`: a vote for a change, or the
/// withdrawal of the sender's earlier vote (`0x03 || proposal id (32)`: 33 bytes).
public enum ValidatorVoteCommand: Equatable, Sendable, CustomStringConvertible {
    case vote(ValidatorChange)
    case withdraw(Hash32)

    public static let withdrawEncodedCount = 33

    public func encoded() -> [UInt8] {
        switch self {
        case .vote(let change): return change.encoded()
        case .withdraw(let id): return [0x03] + id.bytes
        }
    }

    public init(decoding data: [UInt8]) throws {
        if data.first == 0x03 {
            guard data.count == ValidatorVoteCommand.withdrawEncodedCount else {
                throw ValidatorVoteError("withdraw: expected \(ValidatorVoteCommand.withdrawEncodedCount) bytes (op, proposal id), got \(data.count)")
            }
            self = .withdraw(Hash32(Array(data[1...])))
        } else {
            self = .vote(try ValidatorChange(decoding: data))
        }
    }

    public var description: String {
        switch self {
        case .vote(let change): return "vote to \(change)"
        case .withdraw(let id): return "withdraw the vote on proposal \(id)"
        }
    }
}

public struct ValidatorVoteError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The `data` of a transaction to `SystemAddress.nodes`: an admin allows or disallows a
/// non-voting node's P2P key: `op (0x01 add, 0x02 remove) || node key (33)`, 34 bytes.
public struct NodeKeyCommand: Equatable, Sendable, CustomStringConvertible {
    public enum Operation: UInt8, Sendable { case add = 0x01, remove = 0x02 }

    public static let encodedCount = 34

    public var operation: Operation
    public var nodeKey: [UInt8]

    public init(_ operation: Operation, _ nodeKey: [UInt8]) {
        self.operation = operation
        self.nodeKey = nodeKey
    }

    public func encoded() -> [UInt8] { [operation.rawValue] + nodeKey }

    public init(decoding data: [UInt8]) throws {
        guard data.count == NodeKeyCommand.encodedCount else {
            throw ValidatorVoteError("expected \(NodeKeyCommand.encodedCount) bytes (op, node key), got \(data.count)")
        }
        guard let operation = Operation(rawValue: data[0]) else {
            throw ValidatorVoteError("unknown operation 0x\(String(data[0], radix: 16)) (0x01 add, 0x02 remove)")
        }
        let key = Array(data[1...])
        guard (try? Secp256k1.PublicKey(bytes: key)) != nil, key[0] == 0x02 || key[0] == 0x03 else {
            throw ValidatorVoteError("the node key is not a 33-byte compressed secp256k1 public key")
        }
        self.init(operation, key)
    }

    public var description: String {
        "\(operation == .add ? "allow" : "disallow") node key \(Hex.encode(nodeKey, prefix: true))"
    }
}

private func bigEndianBytes(_ value: UInt64) -> [UInt8] {
    stride(from: 56, through: 0, by: -8).map { UInt8(truncatingIfNeeded: value >> UInt64($0)) }
}
