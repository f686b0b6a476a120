import Foundation
import QuorateCore
import QuorateCrypto
import QuorateTestSupport
import Testing

@Suite("genesis permissioning section")
struct GenesisPermissioningTests {
    typealias G = GenesisTests
    static let admin = TestKeys.addr(0xa1), user = TestKeys.addr(0xb2)

    static func with(_ section: String) throws -> Genesis { try G.parse(G.minimal(#""permissioning": \#(section)"#)) }

    @Test("absent, the chain has permissioning off and no roles")
    func absentIsOff() throws {
        let g = try G.parse(G.minimal())
        #expect(g.permissioning == PermissioningParams())
        #expect(!g.permissioning.accountPermissioning)
        #expect(!String(decoding: g.jsonBytes(), as: UTF8.self).contains("permissioning"), "written only when on")
    }

    @Test("parses accounts and roles, sorted by address, and round-trips with the same content hash")
    func parsesAndRoundTrips() throws {
        let g = try Self.with(#"{"accounts": true, "roles": {"\#(Self.user.hex)": ["transact"], "\#(Self.admin.checksummed)": ["admin", "transact"]}}"#)
        #expect(g.permissioning.accountPermissioning)
        let expected = [PermissioningParams.AccountRoles(address: Self.admin, roles: [.admin, .transact]),
                        PermissioningParams.AccountRoles(address: Self.user, roles: .transact)].sorted { $0.address < $1.address }
        #expect(g.permissioning.roles == expected)
        let again = try Genesis(json: g.jsonBytes())
        #expect(again == g)
        #expect(again.contentHash == g.contentHash)
        let off = try G.parse(G.minimal())
        #expect(g.contentHash != off.contentHash)
        // Which roles, and who holds them, are part of the hash.
        let other = try Self.with(#"{"accounts": true, "roles": {"\#(Self.admin.hex)": ["admin"], "\#(Self.user.hex)": ["transact"]}}"#)
        #expect(other.contentHash != g.contentHash)
    }

    @Test("\"accounts\": false without roles is the same chain as no section")
    func explicitOff() throws {
        let g = try Self.with(#"{"accounts": false}"#)
        #expect(g == (try G.parse(G.minimal())))
        #expect(g.contentHash == (try G.parse(G.minimal())).contentHash)
    }

    @Test("bad sections are refused with the problem named")
    func refusals() throws {
        let a = Self.admin.hex
        let cases: [(String, String)] = [
            (#"true"#, "permissioning must be an object"),
            (#"{}"#, "permissioning.accounts must be true or false"),
            (#"{"accounts": 1}"#, "permissioning.accounts must be true or false"),
            (#"{"accounts": "yes"}"#, "permissioning.accounts must be true or false"),
            (#"{"accounts": true, "admins": []}"#, #"unknown key "admins" in permissioning"#),
            (#"{"accounts": true}"#, "needs at least one admin"),
            (#"{"accounts": true, "roles": {"\#(a)": ["transact"]}}"#, "needs at least one admin"),
            (#"{"accounts": false, "roles": {"\#(a)": ["admin"]}}"#, "roles only apply with account permissioning on"),
            (#"{"accounts": true, "roles": {"0x12": ["admin"]}}"#, "is not an address"),
            (#"{"accounts": true, "roles": {"\#(a)": []}}"#, "non-empty array of role names"),
            (#"{"accounts": true, "roles": {"\#(a)": "admin"}}"#, "non-empty array of role names"),
            (#"{"accounts": true, "roles": {"\#(a)": ["root"]}}"#, "unknown role root"),
            (#"{"accounts": true, "roles": ["\#(a)"]}"#, "permissioning.roles must be an object"),
            (#"{"accounts": true, "roles": {"\#(a)": ["admin"], "\#(Self.admin.checksummed)": ["transact"]}}"#, "twice"),
        ]
        for (section, text) in cases {
            expectGenesisError(containing: text) { _ = try Self.with(section) }
        }
    }

    @Test("role names and bits")
    func roleNames() {
        #expect(Roles.admin.rawValue == 1 && Roles.transact.rawValue == 2)
        #expect(Roles(name: "admin") == .admin && Roles(name: "transact") == .transact && Roles(name: "x") == nil)
        #expect(Roles([.admin, .transact]).names == ["admin", "transact"])
        #expect(Roles(name: "deploy") == .deploy && Roles.deploy.rawValue == 4)
        #expect(Roles(rawValue: 0b1111).description == "admin, transact, deploy, 0x8")
        #expect(Roles().description == "none")
    }

    func expectGenesisError(containing text: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected an error containing \"\(text)\"", sourceLocation: sourceLocation)
        } catch {
            #expect("\(error)".contains(text), "\(error)", sourceLocation: sourceLocation)
        }
    }
}
