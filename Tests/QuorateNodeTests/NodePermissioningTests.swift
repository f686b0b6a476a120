import Foundation
import QuorateCore
import QuorateCrypto
@testable import QuorateNode
import QuorateRPC
import QuorateState
import QuorateStorage
import Testing

@Suite("node: account permissioning at submission")
struct NodePermissioningTests {
    static let chainId: UInt64 = 1337
    static let validatorKey = try! Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [0x51])
    static let adminKey = try! Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [0x52])
    static let userKey = try! Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [0x53])
    static func address(_ key: Secp256k1.PrivateKey) -> Address { Address(key.publicKey.ethereumAddress) }

    static func genesis() throws -> Genesis {
        var consensus = ConsensusParams()
        consensus.heartbeatIntervalMs = 0
        return Genesis(chainId: chainId, timestampMs: 0,
                       validators: try ValidatorSet([Validator(address: address(validatorKey), nodeKey: [])]),
                       alloc: [(address(adminKey), UInt256(1_000_000)), (address(userKey), UInt256(1_000_000))],
                       consensus: consensus,
                       permissioning: PermissioningParams(accountPermissioning: true,
                                                          roles: [.init(address: address(adminKey), roles: .admin)]))
    }

    static func tx(_ key: Secp256k1.PrivateKey, nonce: UInt64, to: Address, data: [UInt8] = []) throws -> [UInt8] {
        let gas = 21_000 + data.reduce(UInt64(0)) { $0 + ($1 == 0 ? 4 : 16) }
        return try UnsignedTransaction(chainId: chainId, nonce: nonce, gasLimit: gas, to: to, value: 0, data: data)
            .signed(with: key).raw
    }

    @Test("refused without transact, a non-admin's grant refused, accepted once an admin granted transact")
    func submission() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quorate-perm-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = NodeConfig(dataDir: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try ChainStore.initialize(path: config.storePath, genesis: try Self.genesis())
        config.validatorKey = Self.validatorKey
        let node = try Node(config: config)
        try node.start()
        defer { node.stop() }
        let user = Self.address(Self.userKey)
        let transfer = try Self.tx(Self.userKey, nonce: 0, to: Address([UInt8](repeating: 0xde, count: 20)))
        #expect(throws: AdmissionError.notPermitted("sender not authorized to send transactions: \(user) lacks the transact role (account permissioning is on)")) {
            _ = try node.submitRawTransaction(transfer)
        }
        let selfGrant = try Self.tx(Self.userKey, nonce: 0, to: SystemAddress.permissions,
                                    data: RoleCommand(.grant, user, .transact).encoded())
        do { _ = try node.submitRawTransaction(selfGrant); Issue.record("a non-admin's grant was accepted") } catch {
            #expect(error.reason == "not_permitted")
            #expect(error.message.contains("lacks the admin role"))
        }
        #expect(try node.account(user, at: nil).roles == 0)
        _ = try node.submit(raw: try Self.tx(Self.adminKey, nonce: 0, to: SystemAddress.permissions,
                                             data: RoleCommand(.grant, user, .transact).encoded()))
        #expect(node.waitForHeight(1, timeoutMs: 30_000))
        #expect(try node.account(user, at: nil).roles == Roles.transact.rawValue)
        #expect(try node.account(user, at: 0).roles == 0, "roles read at a height")
        _ = try node.submit(raw: transfer)
        #expect(node.waitForHeight(2, timeoutMs: 30_000))
        #expect(try node.store.account(user)?.nonce == 1)
        #expect(node.accountPermissioning)
    }

    @Test("quorate-node genesis: --permissioning and --role")
    func genesisOptions() throws {
        let a = "0x" + String(repeating: "a1", count: 20), b = "0x" + String(repeating: "b2", count: 20)
        func parse(_ list: [String]) throws -> PermissioningParams {
            var args = try CommandLineArguments(list, switchNames: ["permissioning"])
            let p = try NodeCommands.permissioningOptions(&args)
            try args.refuseUnknown()
            return p
        }
        #expect(try parse([]) == PermissioningParams())
        let p = try parse(["--permissioning", "--role", "\(a)=admin", "--role", "\(b)=transact", "--role", "\(a)=transact"])
        #expect(p.accountPermissioning)
        #expect(p.roles == [.init(address: try Address(hex: a), roles: [.admin, .transact]),
                            .init(address: try Address(hex: b), roles: .transact)])
        for (list, text) in [(["--role", "\(a)=admin"], "needs --permissioning"),
                             (["--permissioning"], "at least one admin"),
                             (["--permissioning", "--role", "\(b)=transact"], "at least one admin"),
                             (["--permissioning", "--role", "\(a)=root"], "unknown role \"root\""),
                             (["--permissioning", "--role", "\(a)=admin,"], "unknown role"),
                             (["--permissioning", "--role", "0x12=admin"], "expected ADDRESS=ROLE")] {
            do { _ = try parse(list); Issue.record("\(list) accepted") } catch {
                #expect("\(error)".contains(text), "\(error)")
            }
        }
    }
}
