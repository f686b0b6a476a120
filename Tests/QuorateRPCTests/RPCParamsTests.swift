import QuorateCore
import Testing
@testable import QuorateRPC

@Suite("RPC params")
struct RPCParamsTests {
    private func params(_ json: String) throws -> RPCParams {
        RPCParams(try #require(try JSONParser.parse(json).arrayValue))
    }

    /// The -32602 message `body` throws; nil if it does not throw.
    private func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as RPCError {
            #expect(error.code == -32602)
            return error.message
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test("hex quantities follow geth's rules: 0x required, no leading zeros, at most 64 bits")
    func quantities() throws {
        let p = try params(#"["0x0","0x1a","0xFFFFFFFFFFFFFFFF","1a","0x","0x01","0x10000000000000000","0xzz",26]"#)
        #expect(try p.quantityUInt64(at: 0) == 0)
        #expect(try p.quantityUInt64(at: 1) == 26)
        #expect(try p.quantityUInt64(at: 2) == UInt64.max)
        #expect(message { _ = try p.quantityUInt64(at: 3) } == "invalid argument 3: hex string without 0x prefix")
        #expect(message { _ = try p.quantityUInt64(at: 4) } == #"invalid argument 4: hex string "0x" has no digits"#)
        #expect(message { _ = try p.quantityUInt64(at: 5) } == "invalid argument 5: hex number with leading zero digits")
        #expect(message { _ = try p.quantityUInt64(at: 6) } == "invalid argument 6: hex number > 64 bits")
        #expect(message { _ = try p.quantityUInt64(at: 7) } == "invalid argument 7: invalid hex string")
        #expect(message { _ = try p.quantityUInt64(at: 8) } == "invalid argument 8: expected a hex quantity string, got number")
    }

    @Test("256-bit quantities come back as a minimal big-endian magnitude")
    func bigQuantities() throws {
        let p = try params(#"["0x0","0x1ff","0x\#(String(repeating: "f", count: 64))","0x1\#(String(repeating: "0", count: 64))"]"#)
        #expect(try p.quantityBigEndian(at: 0) == [])
        #expect(try p.quantityBigEndian(at: 1) == [0x01, 0xff])
        #expect(try p.quantityBigEndian(at: 2) == [UInt8](repeating: 0xff, count: 32))
        #expect(message { _ = try p.quantityBigEndian(at: 3) } == "invalid argument 3: hex number > 256 bits")
    }

    @Test("hex data needs 0x and an even number of digits; 0x alone is empty")
    func data() throws {
        let p = try params(#"["0x","0xdeadBEEF","0xabc","dead","0xgg"]"#)
        #expect(try p.bytes(at: 0) == [])
        #expect(try p.bytes(at: 1) == [0xde, 0xad, 0xbe, 0xef])
        #expect(message { _ = try p.bytes(at: 2) } == "invalid argument 2: hex string of odd length")
        #expect(message { _ = try p.bytes(at: 3) } == "invalid argument 3: hex string without 0x prefix")
        #expect(message { _ = try p.bytes(at: 4) } == "invalid argument 4: invalid hex string")
    }

    @Test("addresses and hashes must have exactly their length")
    func addressesAndHashes() throws {
        let address = "0x" + String(repeating: "ab", count: 20), hash = "0x" + String(repeating: "cd", count: 32)
        let p = try params(#"["\#(address)","\#(hash)","0xabcd"]"#)
        #expect(try p.address(at: 0) == Address([UInt8](repeating: 0xab, count: 20)))
        #expect(try p.hash(at: 1) == Hash32([UInt8](repeating: 0xcd, count: 32)))
        #expect(message { _ = try p.address(at: 2) } == "invalid argument 2: an address is 20 bytes (40 hex digits), got 2 bytes")
        #expect(message { _ = try p.hash(at: 0) } == "invalid argument 0: a hash is 32 bytes (64 hex digits), got 20 bytes")
    }

    @Test("block tags: the five names, hex numbers, EIP-1898 objects, and a default when absent")
    func blockTags() throws {
        let hash = "0x" + String(repeating: "11", count: 32)
        let p = try params(#"["latest","earliest","pending","safe","finalized","0x10",{"blockNumber":"0x5"},{"blockHash":"\#(hash)","requireCanonical":true},"Latest",12]"#)
        #expect(try (0..<5).map { try p.blockTag(at: $0) } == [.latest, .earliest, .pending, .safe, .finalized])
        #expect(try p.blockTag(at: 5) == .number(16))
        #expect(try p.blockTag(at: 6) == .number(5))
        #expect(try p.blockSelector(at: 7) == .hash(Hash32([UInt8](repeating: 0x11, count: 32)), requireCanonical: true))
        #expect(message { _ = try p.blockTag(at: 7) } == "invalid argument 7: a block hash is not accepted here, give a block number or tag")
        #expect(message { _ = try p.blockTag(at: 8) } == "invalid argument 8: expected a hex block number or one of latest, earliest, pending, safe, finalized")
        #expect(message { _ = try p.blockTag(at: 9) } == "invalid argument 9: expected a block number, tag or EIP-1898 object, got number")
        #expect(try p.blockTag(at: 20, default: .latest) == .latest)
        #expect(try p.blockSelector(at: 20) == .tag(.latest))
    }

    @Test("missing and extra arguments are reported in geth's words; trailing nulls count as absent")
    func counts() throws {
        let two = try params(#"["0x1", null]"#)
        #expect(message { try two.expectCount(2) } == "missing value for required argument 1")
        #expect(message { try two.expectCount(0...0) } == "too many arguments, want at most 0")
        try two.expectCount(1...2)
        try two.expectCount(1)
        #expect(message { _ = try two.string(at: 3) } == "missing value for required argument 3")
        #expect(two.optional(at: 1) == nil)
        #expect(try two.ifPresent(1, two.bool(at:)) == nil)
        #expect(try two.ifPresent(0, two.string(at:)) == "0x1")
    }

    @Test("strings and booleans are type-checked with the JSON type named")
    func scalars() throws {
        let p = try params(#"["s", true, 1]"#)
        #expect(try p.string(at: 0) == "s")
        #expect(try p.bool(at: 1))
        #expect(message { _ = try p.bool(at: 0) } == "invalid argument 0: expected a boolean, got string")
        #expect(message { _ = try p.string(at: 2) } == "invalid argument 2: expected a string, got number")
    }

    @Test("object fields are read by key, with the argument and field named in errors")
    func objects() throws {
        let p = try params(#"[{"to":"0x\#(String(repeating: "00", count: 20))","gas":"0x5208","value":"0x","data":null,"extra":1}]"#)
        let tx = try p.object(at: 0)
        #expect(try tx.address("to") == Address.zero)
        #expect(try tx.quantityUInt64("gas") == 21000)
        #expect(try tx.ifPresent("data", tx.bytes(_:)) == nil)
        #expect(message { _ = try tx.quantityBigEndian("value") } == #"invalid argument 0: field "value": hex string "0x" has no digits"#)
        #expect(message { _ = try tx.string("from") } == #"invalid argument 0: missing field "from""#)
        #expect(message { _ = try p.object(at: 1) } == "missing value for required argument 1")
    }
}
