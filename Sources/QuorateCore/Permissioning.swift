/// Account roles: bit flags kept in each account's `roles` field (part of the state root).
/// The model and encodings are documented in docs/permissioning.md.
public struct Roles: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// May grant and revoke roles (transactions to `SystemAddress.permissions`).
    public static let admin = Roles(rawValue: 1 << 0)
    /// May send transactions when account permissioning is on.
    public static let transact = Roles(rawValue: 1 << 1)
    /// May create contracts (a transaction without `to`) when account permissioning is on.
    public static let deploy = Roles(rawValue: 1 << 2)

    /// Every role, in bit order: the names used by genesis files, the RPC and the wallet.
    public static let all: [(name: String, role: Roles)] = [("admin", .admin), ("transact", .transact), ("deploy", .deploy)]
    public static let known = Roles(rawValue: all.reduce(0) { $0 | $1.role.rawValue })

    /// The role called `name` ("admin", "transact"), or nil.
    public init?(name: String) {
        guard let entry = Roles.all.first(where: { $0.name == name }) else { return nil }
        self = entry.role
    }

    /// Names of the known roles set, in bit order.
    public var names: [String] { Roles.all.filter { contains($0.role) }.map(\.name) }

    /// Bits no role is defined for.
    public var unknownBits: UInt64 { rawValue & ~Roles.known.rawValue }

    public var description: String {
        var parts = names
        if unknownBits != 0 { parts.append("0x" + String(unknownBits, radix: 16)) }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }
}

/// Reserved addresses that governance transactions are sent to: one per module, so that each
/// module's payloads are decoded by that module alone. Nobody holds a key for them (a key whose
/// address has 16 leading zero bytes cannot be found), and they never hold a balance.
///
/// They sit at 0x...5100000N, away from every address an Ethereum fork uses for a precompile
/// (0x01-0x11, 0x0100) or a system contract (EIP-2935, 4788, 7002, 7251), so a contract calling
/// ecrecover or sha256 never reaches governance (DESIGN.md section 13). To the EVM they are
/// empty accounts: governance payloads come only from top-level transactions.
public enum SystemAddress {
    /// Account roles: grant and revoke (active when genesis turns account permissioning on).
    public static let permissions = reserved(0x01)
    /// Validator-set votes of the current validators (active on every chain).
    public static let validatorVotes = reserved(0x02)
    /// Non-voting node keys allowed on-chain, managed by admins (active with account permissioning).
    public static let nodes = reserved(0x03)

    static func reserved(_ last: UInt8) -> Address { Address([UInt8](repeating: 0, count: 16) + [0x51, 0, 0, last]) }
}

/// A role-management transaction's `data`, sent to `SystemAddress.permissions` with value 0:
///
///     op (1 byte: 0x01 grant, 0x02 revoke) || account (20 bytes) || roles (8 bytes, big-endian bit mask)
///
/// 29 bytes, nothing else. Grant sets the bits in the account's roles, revoke clears them.
public struct RoleCommand: Equatable, Sendable, CustomStringConvertible {
    public enum Operation: UInt8, Sendable { case grant = 0x01, revoke = 0x02 }

    public static let encodedCount = 29

    public var operation: Operation
    public var account: Address
    public var roles: Roles

    public init(_ operation: Operation, _ account: Address, _ roles: Roles) {
        self.operation = operation
        self.account = account
        self.roles = roles
    }

    public func encoded() -> [UInt8] {
        var out = [operation.rawValue] + account.bytes
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: roles.rawValue >> UInt64(shift))) }
        return out
    }

    /// Decodes and checks a payload: the right length, a known operation, a non-empty mask of known roles.
    public init(decoding data: [UInt8]) throws {
        guard data.count == RoleCommand.encodedCount else {
            throw RoleCommandError("expected \(RoleCommand.encodedCount) bytes (op, account, roles), got \(data.count)")
        }
        guard let operation = Operation(rawValue: data[0]) else {
            throw RoleCommandError("unknown operation 0x\(String(data[0], radix: 16)) (0x01 grant, 0x02 revoke)")
        }
        let mask = data[21...].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let roles = Roles(rawValue: mask)
        guard roles.unknownBits == 0 else {
            throw RoleCommandError("unknown role bits 0x\(String(roles.unknownBits, radix: 16)) (admin = 0x1, transact = 0x2, deploy = 0x4)")
        }
        guard !roles.isEmpty else { throw RoleCommandError("no role given (the role mask is 0)") }
        self.init(operation, Address(Array(data[1..<21])), roles)
    }

    public var description: String {
        "\(operation == .grant ? "grant" : "revoke") \(roles) \(operation == .grant ? "to" : "from") \(account)"
    }
}

public struct RoleCommandError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Genesis's `permissioning` section: whether account permissioning is on, and the roles accounts
/// start with. Off (the default, and a genesis without the section) leaves the chain as before:
/// anyone may transact and the system addresses are ordinary addresses.
public struct PermissioningParams: Equatable, Sendable {
    public var accountPermissioning: Bool
    /// Sorted by address, no duplicates, no empty role sets.
    public var roles: [AccountRoles]

    public struct AccountRoles: Equatable, Sendable {
        public var address: Address
        public var roles: Roles
        public init(address: Address, roles: Roles) {
            self.address = address
            self.roles = roles
        }
    }

    public init(accountPermissioning: Bool = false, roles: [AccountRoles] = []) {
        self.accountPermissioning = accountPermissioning
        self.roles = roles.sorted { $0.address < $1.address }
    }

    /// Refuses what cannot work: roles without permissioning, permissioning without an admin,
    /// an address listed twice, unknown or empty roles.
    public func validate() throws {
        var seen = Set<Address>()
        for entry in roles {
            guard seen.insert(entry.address).inserted else {
                throw GenesisError(description: "genesis: permissioning.roles lists \(entry.address) twice")
            }
            guard !entry.roles.isEmpty, entry.roles.unknownBits == 0 else {
                throw GenesisError(description: "genesis: permissioning.roles[\(entry.address)] must name at least one of admin, transact")
            }
        }
        guard accountPermissioning || roles.isEmpty else {
            throw GenesisError(description: "genesis: permissioning.roles is given but permissioning.accounts is false; roles only apply with account permissioning on")
        }
        guard !accountPermissioning || roles.contains(where: { $0.roles.contains(.admin) }) else {
            throw GenesisError(description: "genesis: account permissioning needs at least one admin in permissioning.roles (nobody could grant a role)")
        }
    }
}
