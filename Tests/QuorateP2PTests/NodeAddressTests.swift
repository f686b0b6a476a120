import QuorateCrypto
import QuorateTestSupport
import Testing
import QuorateP2P

@Suite struct NodeAddressTests {
    static let key = "034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa"

    @Test("pubkey@host:port parses for IPv4, names and bracketed IPv6, and prints back the same")
    func parses() throws {
        let v4 = try NodeAddress(parsing: "\(Self.key)@127.0.0.1:9735")
        #expect(v4.publicKey.compressed == hex(Self.key))
        #expect(v4.host == "127.0.0.1" && v4.port == 9735)
        #expect(v4.description == "\(Self.key)@127.0.0.1:9735")

        let name = try NodeAddress(parsing: "  \(Self.key)@validator-1.example.org:1  ")
        #expect(name.host == "validator-1.example.org" && name.port == 1)

        let v6 = try NodeAddress(parsing: "\(Self.key)@[::1]:65535")
        #expect(v6.host == "::1" && v6.port == 65535)
        #expect(v6.hostAndPort == "[::1]:65535")
        #expect(try NodeAddress(parsing: v6.description) == v6)
    }

    @Test("malformed addresses are refused with a message naming the problem", arguments: [
        ("127.0.0.1:9735", "no '@'"),
        ("\(key.dropLast(2))@127.0.0.1:9735", "66 hex digits"),
        ("0x\(key)@127.0.0.1:9735", "66 hex digits"),
        ("\(key.dropLast(2))zz@127.0.0.1:9735", "not hex"),
        ("04\(key.dropFirst(2))@127.0.0.1:9735", "not a valid compressed secp256k1 public key"),
        ("\(key)@127.0.0.1", "no ':port'"),
        ("\(key)@127.0.0.1:", "port must be a number"),
        ("\(key)@127.0.0.1:0", "port must be a number"),
        ("\(key)@127.0.0.1:65536", "port must be a number"),
        ("\(key)@127.0.0.1:+80", "port must be a number"),
        ("\(key)@:9735", "host is empty"),
        ("\(key)@::1:9735", "in brackets"),
        ("\(key)@[::1:9735", "closing ']'"),
        ("\(key)@[::1]9735", "no ':port' after the IPv6 host"),
        ("\(key)@a b:9735", "contains"),
    ])
    func refuses(_ text: String, _ reason: String) {
        do {
            let address = try NodeAddress(parsing: text)
            Issue.record("parsed \(text) as \(address)")
        } catch {
            #expect(error.description.contains(reason), "\(error.description)")
            #expect(error.description.contains("pubkey@host:port"))
        }
    }
}
