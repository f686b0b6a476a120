import Foundation
import QuorateCore
import QuorateCrypto
import QuorateState
import QuorateTestSupport
import Testing

@Suite("account permissioning: roles, role commands, execution and validation")
struct PermissioningTests {
    typealias F = StateFixture

    /// alice is an admin (without transact), bob may transact, carol has no role.
    static func genesis(on: Bool = true) -> Genesis {
        var g = F.genesis(alloc: [(F.address(F.alice), F.initialBalance), (F.bobAddress, F.initialBalance),
                                  (F.carolAddress, F.initialBalance)])
        if on {
            g.permissioning = PermissioningParams(accountPermissioning: true, roles: [
                .init(address: F.address(F.alice), roles: .admin), .init(address: F.bobAddress, roles: .transact),
            ])
        }
        return g
    }

    static func roleTx(_ key: Secp256k1.PrivateKey, nonce: UInt64, _ command: RoleCommand, value: UInt256 = 0,
                       data: [UInt8]? = nil) throws -> Transaction {
        let payload = data ?? command.encoded()
        let gas = 21_000 + payload.reduce(UInt64(0)) { $0 + ($1 == 0 ? 4 : 16) }
        return try F.transfer(key, nonce: nonce, to: SystemAddress.permissions, value: value, gas: gas, data: payload)
    }

    static func roles(_ node: TestNode, _ address: Address) throws -> Roles {
        Roles(rawValue: try node.account(address).roles)
    }

    @Test("the payload is op || account || 8-byte big-endian mask, and decodes back")
    func payloadEncoding() throws {
        let command = RoleCommand(.grant, F.carolAddress, [.admin, .transact])
        let bytes = command.encoded()
        #expect(bytes.count == 29)
        #expect(bytes[0] == 0x01)
        #expect(Array(bytes[1..<21]) == F.carolAddress.bytes)
        #expect(Array(bytes[21...]) == [0, 0, 0, 0, 0, 0, 0, 3])
        #expect(try RoleCommand(decoding: bytes) == command)
        #expect(RoleCommand(.revoke, F.carolAddress, .transact).encoded()[0] == 0x02)
        #expect(SystemAddress.permissions.hex == "0x0000000000000000000000000000000051000001")
        #expect(SystemAddress.validatorVotes.hex == "0x0000000000000000000000000000000051000002")
    }

    @Test("malformed payloads are refused: length, operation, unknown role bits, empty mask")
    func malformedPayloads() throws {
        let good = RoleCommand(.grant, F.carolAddress, .transact).encoded()
        expectError(containing: "expected 29 bytes") { _ = try RoleCommand(decoding: Array(good.dropLast())) }
        expectError(containing: "expected 29 bytes") { _ = try RoleCommand(decoding: good + [0]) }
        expectError(containing: "unknown operation 0x3") { _ = try RoleCommand(decoding: [3] + good.dropFirst()) }
        expectError(containing: "unknown role bits 0x8") { _ = try RoleCommand(decoding: Array(good.dropLast()) + [10]) }
        expectError(containing: "no role given") { _ = try RoleCommand(decoding: Array(good.dropLast()) + [0]) }
    }

    @Test("genesis roles are in the state root; with permissioning off the genesis state is as before")
    func genesisRoles() throws {
        let on = try TestNode(Self.genesis())
        #expect(try Self.roles(on, F.address(F.alice)) == .admin)
        #expect(try Self.roles(on, F.bobAddress) == .transact)
        #expect(try Self.roles(on, F.carolAddress) == [])
        let off = try TestNode(Self.genesis(on: false))
        #expect(on.head.stateRoot != off.head.stateRoot)
        #expect(try Self.roles(off, F.address(F.alice)) == [])
        #expect(on.head.lastCommitHash != off.head.lastCommitHash, "the genesis content hash covers permissioning")
        // Off: the content hash is the one the genesis had before permissioning existed.
        var plain = Self.genesis(on: false)
        plain.permissioning = PermissioningParams()
        #expect(plain.contentHash == Self.genesis(on: false).contentHash)
    }

    @Test("an account without transact is refused; with it, it transacts")
    func transactRole() throws {
        let node = try TestNode(Self.genesis())
        let carol = try F.transfer(F.carol, nonce: 0, to: F.bobAddress, value: 1)
        let bob = try F.transfer(F.bob, nonce: 0, to: F.carolAddress, value: 1)
        let out = try node.build([carol, bob])
        #expect(out.executed.block.transactions.map(\.hash) == [bob.hash])
        #expect(out.rejected.count == 1 && out.rejected[0].0 == carol.hash)
        #expect(out.rejected[0].1.kind == .notPermitted)
        #expect(out.rejected[0].1.description.contains("lacks the transact role"))
        // An admin without transact may not transfer either.
        let alice = try F.transfer(F.alice, nonce: 0, to: F.bobAddress, value: 1)
        #expect(try node.build([alice]).rejected.first?.1.kind == .notPermitted)
    }

    @Test("with permissioning off, anyone transacts and the system address is an ordinary address")
    func offIsUnchanged() throws {
        let node = try TestNode(Self.genesis(on: false))
        let carol = try Self.roleTx(F.carol, nonce: 0, RoleCommand(.grant, F.carolAddress, .admin), value: 5)
        let out = try node.build([carol])
        #expect(out.rejected.isEmpty && out.executed.block.transactions.count == 1)
        var n = node
        try n.commit(out.executed)
        #expect(try n.account(SystemAddress.permissions).balance == 5)
        #expect(try n.account(F.carolAddress).roles == 0)
    }

    @Test("an admin grants transact, the account transacts, the admin revokes it, the next is refused")
    func grantAndRevoke() throws {
        var node = try TestNode(Self.genesis())
        let before = node.head.stateRoot
        let grant = try Self.roleTx(F.alice, nonce: 0, RoleCommand(.grant, F.carolAddress, .transact))
        let out1 = try node.build([grant])
        #expect(out1.rejected.isEmpty)
        #expect(out1.executed.receipts[0].gasUsed == grant.intrinsicGas, "it pays intrinsic gas like any transaction")
        #expect(out1.executed.receipts[0].to == SystemAddress.permissions)
        var other = try TestNode(Self.genesis())
        try other.commit(try other.validate(out1.executed.block))
        try node.commit(out1.executed)
        #expect(node.head.stateRoot != before, "a role change changes the state root")
        #expect(other.head.stateRoot == node.head.stateRoot)
        #expect(try Self.roles(node, F.carolAddress) == .transact)
        #expect(try node.account(F.address(F.alice)).nonce == 1, "a role command uses the admin's nonce")
        #expect(try node.account(SystemAddress.permissions) == .empty, "the system address holds nothing")

        let transfer = try F.transfer(F.carol, nonce: 0, to: F.bobAddress, value: 1)
        let out2 = try node.build([transfer])
        #expect(out2.executed.block.transactions.map(\.hash) == [transfer.hash])
        try node.commit(out2.executed)

        let revoke = try Self.roleTx(F.alice, nonce: 1, RoleCommand(.revoke, F.carolAddress, .transact))
        try node.commit(try node.build([revoke]).executed)
        #expect(try Self.roles(node, F.carolAddress) == [])
        let next = try F.transfer(F.carol, nonce: 1, to: F.bobAddress, value: 1)
        #expect(try node.build([next]).rejected.first?.1.kind == .notPermitted)
    }

    @Test("a grant and a use in the same block: the order in the block decides")
    func sameBlockOrder() throws {
        let node = try TestNode(Self.genesis())
        let grant = try Self.roleTx(F.alice, nonce: 0, RoleCommand(.grant, F.carolAddress, .transact))
        let use = try F.transfer(F.carol, nonce: 0, to: F.bobAddress, value: 1)
        #expect(try node.build([grant, use]).executed.block.transactions.count == 2)
        let reversed = try node.build([use, grant])
        #expect(reversed.executed.block.transactions.map(\.hash) == [grant.hash])
    }

    @Test("a non-admin's role command is refused, with or without transact")
    func nonAdminRefused() throws {
        let node = try TestNode(Self.genesis())
        for key in [F.bob, F.carol] {
            let tx = try Self.roleTx(key, nonce: 0, RoleCommand(.grant, F.address(key), .admin))
            let out = try node.build([tx])
            #expect(out.executed.block.transactions.isEmpty)
            #expect(out.rejected.first?.1.kind == .notPermitted)
            #expect(out.rejected.first?.1.description.contains("lacks the admin role") == true)
        }
    }

    @Test("role commands with value, a bad payload, or revoking one's own admin are refused")
    func badRoleCommands() throws {
        let node = try TestNode(Self.genesis())
        let cases: [(Transaction, String)] = [
            (try Self.roleTx(F.alice, nonce: 0, RoleCommand(.grant, F.carolAddress, .transact), value: 1), "value must be 0"),
            (try Self.roleTx(F.alice, nonce: 0, RoleCommand(.grant, F.carolAddress, .transact), data: [1, 2, 3]), "expected 29 bytes"),
            (try Self.roleTx(F.alice, nonce: 0, RoleCommand(.revoke, F.address(F.alice), .admin)), "cannot revoke its own admin role"),
        ]
        for (tx, text) in cases {
            let out = try node.build([tx])
            #expect(out.executed.block.transactions.isEmpty)
            #expect(out.rejected.first?.1.kind == .invalidSystemTransaction)
            #expect(out.rejected.first?.1.description.contains(text) == true, "\(out.rejected)")
        }
    }

    @Test("an admin makes another admin, who may then revoke the first one's admin role")
    func adminsManageAdmins() throws {
        var node = try TestNode(Self.genesis())
        try node.commit(try node.build([try Self.roleTx(F.alice, nonce: 0, RoleCommand(.grant, F.bobAddress, .admin))]).executed)
        #expect(try Self.roles(node, F.bobAddress) == [.admin, .transact])
        let revoke = try Self.roleTx(F.bob, nonce: 0, RoleCommand(.revoke, F.address(F.alice), .admin))
        try node.commit(try node.build([revoke]).executed)
        #expect(try Self.roles(node, F.address(F.alice)) == [])
        // A role on an account that does not exist creates it; revoking everything removes it again.
        let fresh = Address([UInt8](repeating: 0x42, count: 20))
        try node.commit(try node.build([try Self.roleTx(F.bob, nonce: 1, RoleCommand(.grant, fresh, .transact))]).executed)
        #expect(try node.account(fresh) == Account(roles: Roles.transact.rawValue))
        let withFresh = node.head.stateRoot
        try node.commit(try node.build([try Self.roleTx(F.bob, nonce: 2, RoleCommand(.revoke, fresh, [.transact, .admin]))]).executed)
        #expect(try node.account(fresh) == .empty)
        #expect(node.head.stateRoot != withFresh)
    }

    @Test("validators reject a block that includes an unpermitted transaction")
    func validatorRejects() throws {
        let node = try TestNode(Self.genesis())
        // A faulty proposer that ignores permissioning builds on the same parent.
        let faulty = ChainRules(chainId: F.chainId, consensus: node.genesis.consensus, fees: node.genesis.fees,
                                accountPermissioning: false)
        let lastCommit = node.lastCommit
        let proposer = node.genesis.validators.proposer(height: 1, round: 0)
        for tx in [try F.transfer(F.carol, nonce: 0, to: F.bobAddress, value: 1),
                   try Self.roleTx(F.bob, nonce: 0, RoleCommand(.grant, F.bobAddress, .admin))] {
            let out = try BlockBuilder.build(parent: node.parent, candidates: [try F.candidate(tx)], proposer: proposer,
                                             timestampMs: node.head.timestampMs + 1, lastCommit: lastCommit, rules: faulty)
            #expect(out.executed.block.transactions.count == 1)
            expectError(containing: "cannot execute: sender not authorized") { _ = try node.validate(out.executed.block) }
        }
    }
}

@Suite("genesis state without permissioning is unchanged")
struct PermissioningOffGenesisTests {
    /// Pinned again when contracts came (the header gained its logs bloom): chains made before are re-created.
    @Test("Genesis/dev.json gives the same block 0 as before permissioning existed")
    func devGenesisHashPinned() throws {
        let bytes = try RepositoryFiles.bytes("Genesis/dev.json")
        let block0 = try GenesisState.build(try Genesis(json: bytes), nodes: MemoryNodeStore())
        #expect(block0.block.hash.description == "0xad1d6e3567f3f273181d9f25b75bfc5d2ca97039383f531c96cbffbc1f0f7a89")
    }
}
