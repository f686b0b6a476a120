import Foundation
import QuorateCrypto

extension Genesis {
    /// Parses a genesis file. Unknown keys are refused so that a typo does not silently fall back
    /// to a default.
    public init(json bytes: [UInt8]) throws {
        guard bytes.count <= Genesis.maxFileBytes else {
            throw GenesisError(description: "genesis file of \(bytes.count) bytes exceeds the limit of \(Genesis.maxFileBytes)")
        }
        let root: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                throw GenesisError(description: "genesis: the file must hold a JSON object")
            }
            root = object
        } catch let error as GenesisError {
            throw error
        } catch {
            throw GenesisError(description: "genesis: not valid JSON (\(error.localizedDescription))")
        }
        try Genesis.refuseUnknownKeys(root, allowed: ["chainId", "timestampMs", "validators", "alloc", "consensus", "fees", "permissioning"],
                                     in: "genesis")
        let chainId = try Genesis.uint64(root["chainId"], "chainId")
        guard chainId > 0 else { throw GenesisError(description: "genesis: chainId must be positive") }
        let timestampMs = try root["timestampMs"].map { try Genesis.uint64($0, "timestampMs") } ?? 0
        let validators = try Genesis.parseValidators(root["validators"])
        let alloc = try Genesis.parseAlloc(root["alloc"])
        var consensus = ConsensusParams()
        if let c = root["consensus"] {
            guard let object = c as? [String: Any] else { throw GenesisError(description: "genesis: consensus must be an object") }
            try Genesis.refuseUnknownKeys(object, allowed: Set(ConsensusParams.keyPaths.map(\.0)), in: "consensus")
            for (name, path) in ConsensusParams.keyPaths {
                if let v = object[name] { consensus[keyPath: path] = try Genesis.uint64(v, "consensus.\(name)") }
            }
        }
        var fees = FeeParams()
        if let f = root["fees"] {
            guard let object = f as? [String: Any] else { throw GenesisError(description: "genesis: fees must be an object") }
            try Genesis.refuseUnknownKeys(object, allowed: ["baseFeePerGas", "blockGasLimit", "maxTransactionDataBytes"], in: "fees")
            if let v = object["baseFeePerGas"] { fees.baseFeePerGas = try Genesis.uint256(v, "fees.baseFeePerGas") }
            if let v = object["blockGasLimit"] { fees.blockGasLimit = try Genesis.uint64(v, "fees.blockGasLimit") }
            if let v = object["maxTransactionDataBytes"] {
                fees.maxTransactionDataBytes = try Genesis.uint64(v, "fees.maxTransactionDataBytes")
            }
        }
        guard consensus.maxBlockTransactions > 0, consensus.maxBlockTransactions <= UInt64(Block.maxTransactions) else {
            throw GenesisError(description: "genesis: consensus.maxBlockTransactions must be 1...\(Block.maxTransactions)")
        }
        guard consensus.maxBlockBytes > 0, consensus.maxBlockBytes <= UInt64(Block.maxTransactionBytes) else {
            throw GenesisError(description: "genesis: consensus.maxBlockBytes must be 1...\(Block.maxTransactionBytes)")
        }
        guard consensus.timeoutMaxMs >= consensus.timeoutProposeMs else {
            throw GenesisError(description: "genesis: consensus.timeoutMaxMs must be at least timeoutProposeMs")
        }
        let permissioning = try Genesis.parsePermissioning(root["permissioning"])
        try permissioning.validate()
        self.init(chainId: chainId, timestampMs: timestampMs, validators: validators, alloc: alloc,
                  consensus: consensus, fees: fees, permissioning: permissioning)
    }

    /// The genesis as a JSON file, in the same format `init(json:)` reads; keys sorted.
    public func jsonBytes() -> [UInt8] {
        var allocObject: [String: Any] = [:]
        for entry in alloc { allocObject[entry.address.checksummed] = ["balance": entry.balance.description] }
        var consensusObject: [String: Any] = [:]
        for (name, value) in consensusFields { consensusObject[name] = value }
        var object: [String: Any] = [
            "chainId": chainId,
            "timestampMs": timestampMs,
            "validators": validators.validators.map { v -> [String: Any] in
                var entry: [String: Any] = ["address": v.address.checksummed, "power": v.power]
                // No node key is written as no key: "0x" would not parse back as a 33-byte key.
                if !v.nodeKey.isEmpty { entry["nodeKey"] = Hex.encode(v.nodeKey, prefix: true) }
                return entry
            },
            "alloc": allocObject,
            "consensus": consensusObject,
            "fees": [
                "baseFeePerGas": fees.baseFeePerGas.description,
                "blockGasLimit": fees.blockGasLimit,
                "maxTransactionDataBytes": fees.maxTransactionDataBytes,
            ] as [String: Any],
        ]
        // Written only when on, so a chain without permissioning has the same file as before.
        if permissioning.accountPermissioning {
            var roles: [String: Any] = [:]
            for entry in permissioning.roles { roles[entry.address.checksummed] = entry.roles.names }
            object["permissioning"] = ["accounts": true, "roles": roles] as [String: Any]
        }
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        return Array(data) + [0x0a]
    }

    private static func parseValidators(_ value: Any?) throws -> ValidatorSet {
        guard let list = value as? [Any], !list.isEmpty else {
            throw GenesisError(description: "genesis: validators must be a non-empty array")
        }
        var validators = [Validator]()
        for (i, item) in list.enumerated() {
            guard let v = item as? [String: Any] else { throw GenesisError(description: "genesis: validators[\(i)] must be an object") }
            try refuseUnknownKeys(v, allowed: ["address", "nodeKey", "power"], in: "validators[\(i)]")
            guard let addressText = v["address"] as? String, let address = try? Address(hex: addressText) else {
                throw GenesisError(description: "genesis: validators[\(i)].address must be a 20-byte hex address")
            }
            var nodeKey: [UInt8] = []
            if let k = v["nodeKey"] {
                guard let text = k as? String, let raw = try? Hex.decode(text), raw.count == 33 else {
                    throw GenesisError(description: "genesis: validators[\(i)].nodeKey must be a 33-byte compressed public key in hex")
                }
                nodeKey = raw
            }
            let power = try v["power"].map { try uint64($0, "validators[\(i)].power") } ?? 1
            validators.append(Validator(address: address, nodeKey: nodeKey, power: power))
        }
        do { return try ValidatorSet(validators) } catch let e as ValidatorSetError {
            throw GenesisError(description: "genesis: \(e.description)")
        }
    }

    private static func parseAlloc(_ value: Any?) throws -> [(address: Address, balance: UInt256)] {
        guard let value else { return [] }
        guard let object = value as? [String: Any] else { throw GenesisError(description: "genesis: alloc must be an object") }
        guard object.count <= maxAllocAccounts else {
            throw GenesisError(description: "genesis: \(object.count) alloc accounts exceed the limit of \(maxAllocAccounts)")
        }
        var out = [(address: Address, balance: UInt256)]()
        var seen = Set<Address>()
        for (key, entry) in object {
            guard let address = try? Address(hex: key) else { throw GenesisError(description: "genesis: alloc key \(key) is not an address") }
            guard seen.insert(address).inserted else { throw GenesisError(description: "genesis: alloc lists \(address) twice") }
            guard let fields = entry as? [String: Any], let balance = fields["balance"] else {
                throw GenesisError(description: "genesis: alloc[\(key)] must be an object with a balance")
            }
            try refuseUnknownKeys(fields, allowed: ["balance"], in: "alloc[\(key)]")
            out.append((address, try uint256(balance, "alloc[\(key)].balance")))
        }
        return out.sorted { $0.address < $1.address }
    }

    /// `{"accounts": true, "roles": {"0xADDRESS": ["admin", "transact"], ...}}`; absent means off.
    private static func parsePermissioning(_ value: Any?) throws -> PermissioningParams {
        guard let value else { return PermissioningParams() }
        guard let object = value as? [String: Any] else { throw GenesisError(description: "genesis: permissioning must be an object") }
        try refuseUnknownKeys(object, allowed: ["accounts", "roles"], in: "permissioning")
        guard let flag = object["accounts"] as? NSNumber, String(cString: flag.objCType) == "c" else {
            throw GenesisError(description: "genesis: permissioning.accounts must be true or false (account permissioning on or off)")
        }
        var roles = [PermissioningParams.AccountRoles]()
        if let r = object["roles"] {
            guard let entries = r as? [String: Any] else {
                throw GenesisError(description: "genesis: permissioning.roles must be an object of address: [role, ...]")
            }
            guard entries.count <= maxAllocAccounts else {
                throw GenesisError(description: "genesis: \(entries.count) permissioning.roles entries exceed the limit of \(maxAllocAccounts)")
            }
            var seen = Set<Address>()
            for key in entries.keys.sorted() {
                guard let address = try? Address(hex: key) else {
                    throw GenesisError(description: "genesis: permissioning.roles key \(key) is not an address")
                }
                guard seen.insert(address).inserted else {
                    throw GenesisError(description: "genesis: permissioning.roles lists \(address) twice")
                }
                guard let names = entries[key] as? [Any], !names.isEmpty else {
                    throw GenesisError(description: "genesis: permissioning.roles[\(key)] must be a non-empty array of role names (admin, transact, deploy)")
                }
                var set = Roles()
                for name in names {
                    guard let text = name as? String, let role = Roles(name: text) else {
                        throw GenesisError(description: "genesis: permissioning.roles[\(key)]: unknown role \(name) (roles: admin, transact, deploy)")
                    }
                    set.insert(role)
                }
                roles.append(.init(address: address, roles: set))
            }
        }
        return PermissioningParams(accountPermissioning: flag.boolValue, roles: roles)
    }

    private static func refuseUnknownKeys(_ object: [String: Any], allowed: Set<String>, in context: String) throws {
        if let unknown = object.keys.filter({ !allowed.contains($0) }).sorted().first {
            throw GenesisError(description: "genesis: unknown key \"\(unknown)\" in \(context) (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    static func uint64(_ value: Any?, _ name: String) throws -> UInt64 {
        if let n = value as? NSNumber, let u = exactUInt64(n) { return u }
        if let s = value as? String, let u = UInt256(decimal: s) ?? UInt256(hexQuantity: s), let v = u.uint64 { return v }
        throw GenesisError(description: "genesis: \(name) must be a non-negative integer below 2^64")
    }

    static func uint256(_ value: Any?, _ name: String) throws -> UInt256 {
        if let s = value as? String, let u = UInt256(decimal: s) ?? UInt256(hexQuantity: s) { return u }
        if let n = value as? NSNumber, let u = exactUInt64(n) { return UInt256(u) }
        throw GenesisError(description: "genesis: \(name) must be a decimal string, a 0x hex string or a small integer")
    }

    /// The JSON number as a UInt64, exactly, or nil (a boolean, negative, fractional or too large).
    /// Integers are read as integers, never through a Double, which would round above 2^53.
    /// `is Bool` cannot tell booleans apart: on Linux `NSNumber(value: 0) is Bool` holds, which
    /// refused 0 and 1; a JSON boolean is the NSNumber whose objCType is "c".
    private static func exactUInt64(_ n: NSNumber) -> UInt64? {
        switch String(cString: n.objCType) {
        case "c":
            return nil
        case "d", "f":
            let d = n.doubleValue
            guard d >= 0, d == d.rounded(), d < 18_446_744_073_709_551_616.0 else { return nil }
            return UInt64(d)
        case "Q", "L", "I", "S", "C":
            return n.uint64Value
        default:
            let i = n.int64Value
            return i >= 0 ? UInt64(i) : nil
        }
    }
}

extension ConsensusParams {
    static var keyPaths: [(String, WritableKeyPath<ConsensusParams, UInt64>)] { [
        ("timeoutProposeMs", \.timeoutProposeMs), ("timeoutPrevoteMs", \.timeoutPrevoteMs),
        ("timeoutPrecommitMs", \.timeoutPrecommitMs), ("timeoutDeltaMs", \.timeoutDeltaMs),
        ("timeoutMaxMs", \.timeoutMaxMs), ("blockIntervalMsMin", \.blockIntervalMsMin),
        ("heartbeatIntervalMs", \.heartbeatIntervalMs), ("maxBlockTransactions", \.maxBlockTransactions),
        ("maxBlockBytes", \.maxBlockBytes),
    ] }
}
