import Foundation
import QuorateCLI
import QuorateCore
import QuorateCrypto
import QuorateStorage

/// The `quorate-node` subcommands; `main.swift` only parses and reports.
public enum NodeCommands {
    public static let clientVersion = "Quorate/v0.1.0/linux-x86_64/swift6"

    public static func keygen(_ args: inout CommandLineArguments) throws {
        let config = NodeConfig(dataDir: try args.required("datadir", "DIR"))
        let passwordFile = args.option("password-file")
        try args.refuseUnknown()
        let password = try PasswordSource.read(file: passwordFile, prompt: "Password for the new keys: ", confirm: true)
        let validatorKey = Secp256k1.PrivateKey.generate()
        let nodeKey = Secp256k1.PrivateKey.generate()
        try KeyFiles.write(validatorKey, password: password, to: config.validatorKeyPath)
        try KeyFiles.write(nodeKey, password: password, to: config.nodeKeyPath)
        print("validator address: \(Address(validatorKey.publicKey.ethereumAddress).checksummed)")
        print("node key:          \(Hex.encode(nodeKey.publicKey.compressed, prefix: true))")
        print("keys written to \(config.keysDir) (encrypted; keep the password safe)")
    }

    /// `--permissioning` turns account permissioning on; `--role ADDRESS=ROLE[,ROLE]` (repeatable)
    /// gives accounts their first roles.
    static func permissioningOptions(_ args: inout CommandLineArguments) throws -> PermissioningParams {
        let on = args.flag("permissioning")
        var roles = [PermissioningParams.AccountRoles]()
        for spec in args.options("role") {
            let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let address = try? Address(hex: parts[0]) else {
                throw CommandLineArguments.UsageError("--role \(spec): expected ADDRESS=ROLE[,ROLE] (roles: admin, transact, deploy)")
            }
            var set = Roles()
            for name in parts[1].split(separator: ",", omittingEmptySubsequences: false) {
                guard let role = Roles(name: String(name)) else {
                    throw CommandLineArguments.UsageError("--role \(spec): unknown role \"\(name)\" (roles: admin, transact, deploy)")
                }
                set.insert(role)
            }
            if let i = roles.firstIndex(where: { $0.address == address }) {
                roles[i].roles.formUnion(set)
            } else {
                roles.append(.init(address: address, roles: set))
            }
        }
        guard on || roles.isEmpty else {
            throw CommandLineArguments.UsageError("--role needs --permissioning (roles only apply with account permissioning on)")
        }
        guard !on || roles.contains(where: { $0.roles.contains(.admin) }) else {
            throw CommandLineArguments.UsageError("--permissioning needs at least one admin: --role ADDRESS=admin[,transact]")
        }
        let params = PermissioningParams(accountPermissioning: on, roles: roles)
        try params.validate()
        return params
    }

    public static func genesis(_ args: inout CommandLineArguments) throws {
        guard let chainId = UInt64(try args.required("chain-id", "N")), chainId > 0 else {
            throw CommandLineArguments.UsageError("--chain-id must be a positive integer")
        }
        var validators = [Validator]()
        for spec in args.options("validator") {
            let parts = spec.split(separator: ":").map(String.init)
            guard (1...2).contains(parts.count), let address = try? Address(hex: parts[0]) else {
                throw CommandLineArguments.UsageError("--validator \(spec): expected ADDRESS or ADDRESS:NODEKEY")
            }
            let nodeKey = parts.count == 2 ? try Hex.decode(parts[1]) : []
            validators.append(Validator(address: address, nodeKey: nodeKey))
        }
        guard !validators.isEmpty else { throw CommandLineArguments.UsageError("give at least one --validator") }
        var alloc = [(address: Address, balance: UInt256)]()
        for spec in args.options("alloc") {
            let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let address = try? Address(hex: parts[0]) else {
                throw CommandLineArguments.UsageError("--alloc \(spec): expected ADDRESS=AMOUNT")
            }
            alloc.append((address, try AmountParser.wei(parts[1])))
        }
        var consensus = ConsensusParams()
        if let v = args.option("block-interval-ms") { consensus.blockIntervalMsMin = try uint64(v, "block-interval-ms") }
        if let v = args.option("heartbeat-ms") { consensus.heartbeatIntervalMs = try uint64(v, "heartbeat-ms") }
        var fees = FeeParams()
        if let v = args.option("base-fee") { fees.baseFeePerGas = try AmountParser.wei(v) }
        let permissioning = try permissioningOptions(&args)
        let out = args.option("out")
        try args.refuseUnknown()
        let genesis = Genesis(chainId: chainId, timestampMs: 0, validators: try ValidatorSet(validators), alloc: alloc,
                              consensus: consensus, fees: fees, permissioning: permissioning)
        let bytes = genesis.jsonBytes()
        if let out {
            guard FileManager.default.createFile(atPath: out, contents: Data(bytes)) else {
                throw StoreError("cannot write \(out)")
            }
        } else {
            FileHandle.standardOutput.write(Data(bytes))
        }
    }

    public static func initialize(_ args: inout CommandLineArguments) throws {
        let genesisPath = try args.required("genesis", "FILE")
        let config = NodeConfig(dataDir: try args.required("datadir", "DIR"))
        try args.refuseUnknown()
        guard let data = FileManager.default.contents(atPath: genesisPath) else {
            throw StoreError("cannot read the genesis file \(genesisPath)")
        }
        let genesis = try Genesis(json: Array(data))
        try FileManager.default.createDirectory(atPath: config.dataDir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let store = try ChainStore.initialize(path: config.storePath, genesis: genesis)
        print("initialised \(config.dataDir): chain id \(genesis.chainId), genesis \(store.genesisHash), \(genesis.validators.count) validator(s), \(genesis.alloc.count) funded account(s)")
    }

    static func uint64(_ text: String, _ name: String) throws -> UInt64 {
        guard let v = UInt64(text) else { throw CommandLineArguments.UsageError("--\(name) must be a non-negative integer") }
        return v
    }
}
