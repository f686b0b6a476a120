import Foundation
import QuorateCore
import QuorateCrypto
import QuorateTestSupport
import Testing

@Suite("RLP")
struct RLPTests {
    static let validCaseCount = 28
    static let invalidCaseCount = 26

    /// ethereum/tests writes integers as JSON numbers, or as "#" + decimal when too big for
    /// JSON; strings are byte strings; arrays are lists.
    static func item(from json: Any) -> RLPItem {
        if let s = json as? String {
            if s.hasPrefix("#") { return .bytes(bigDecimalBytes(String(s.dropFirst()))) }
            return .bytes(Array(s.utf8))
        }
        if let a = json as? [Any] { return .list(a.map(item(from:))) }
        if let n = json as? NSNumber { return RLPItem(n.uint64Value) }
        fatalError("unexpected JSON in RLP fixture: \(json)")
    }

    /// Minimal big-endian bytes of a decimal of any size: the file's "bigint" is 2^256, one
    /// past what UInt256 holds, so the fixture needs more than UInt256 to express it.
    static func bigDecimalBytes(_ decimal: String) -> [UInt8] {
        var le: [UInt8] = []  // little-endian base 256
        for c in decimal.utf8 {
            var carry = Int(c - 48)
            for i in le.indices {
                let v = Int(le[i]) * 10 + carry
                le[i] = UInt8(v & 0xff)
                carry = v >> 8
            }
            while carry > 0 { le.append(UInt8(carry & 0xff)); carry >>= 8 }
        }
        return le.reversed()
    }

    @Test("every rlptest.json case encodes to its output and decodes back")
    func validVectors() throws {
        let cases = try #require(try CoreFixtures.json("ethereum/RLPTests/rlptest.json") as? [String: [String: Any]])
        #expect(cases.count == Self.validCaseCount)
        for (name, c) in cases.sorted(by: { $0.key < $1.key }) {
            let input = try #require(c["in"]), out = hex(try #require(c["out"] as? String))
            let item = Self.item(from: input)
            #expect(RLP.encode(item) == out, "\(name)")
            #expect(try RLP.decode(out) == item, "\(name)")
            try checkIntegerAccessors(name: name, input: input, item: item)
        }
    }

    /// Integer cases must also go through the typed accessors, where they fit.
    private func checkIntegerAccessors(name: String, input: Any, item: RLPItem) throws {
        if let n = input as? NSNumber, !(input is String) {
            #expect(try item.uint64Value() == n.uint64Value, "\(name)")
            #expect(try item.uint256Value() == UInt256(n.uint64Value), "\(name)")
        } else if let s = input as? String, s.hasPrefix("#") {
            if let v = UInt256(decimal: String(s.dropFirst())) {
                #expect(RLPItem(v) == item, "\(name)")
                #expect(try item.uint256Value() == v, "\(name)")
            } else {
                // 2^256: one byte too many for UInt256, refused as an overflow.
                #expect(throws: RLPError.uintOverflow) { try item.uint256Value() }
            }
        }
    }

    @Test("every invalidRLPTest.json case is refused")
    func invalidVectors() throws {
        let cases = try #require(try CoreFixtures.json("ethereum/RLPTests/invalidRLPTest.json") as? [String: [String: Any]])
        #expect(cases.count == Self.invalidCaseCount)
        for (name, c) in cases.sorted(by: { $0.key < $1.key }) {
            let out = hex(try #require(c["out"] as? String))
            #expect(throws: RLPError.self, "\(name)") { try RLP.decode(out) }
        }
    }

    @Test("refusals carry geth's messages")
    func errorMessages() {
        #expect(throws: RLPError.nonCanonicalSize) { try RLP.decode([0x81, 0x05]) }
        #expect(throws: RLPError.nonCanonicalSize) { try RLP.decode([0xb8, 0x05] + [UInt8](repeating: 1, count: 5)) }
        #expect(throws: RLPError.nonCanonicalSize) { try RLP.decode([0xb9, 0x00, 0x40] + [UInt8](repeating: 1, count: 64)) }
        #expect(throws: RLPError.moreThanOneValue) { try RLP.decode([0x01, 0x02]) }
        #expect(throws: RLPError.valueTooLarge) { try RLP.decode([0x83, 0x01]) }
        #expect(throws: RLPError.elementTooLarge) { try RLP.decode([0xc2, 0x83, 0x01, 0x02]) }
        #expect(throws: RLPError.unexpectedEOF) { try RLP.decode([0xb8]) }
        #expect(throws: RLPError.emptyInput) { try RLP.decode([]) }
        // An 8-byte length far past the input must not trap or allocate.
        #expect(throws: RLPError.valueTooLarge) { try RLP.decode([0xbf] + [UInt8](repeating: 0xff, count: 8)) }
        #expect(throws: RLPError.valueTooLarge) { try RLP.decode([0xff] + [UInt8](repeating: 0xff, count: 8)) }
    }

    @Test("nesting is bounded by RLP.maxDepth")
    func depthLimit() throws {
        func nested(_ depth: Int) -> RLPItem {
            var item = RLPItem.list([])
            for _ in 1..<depth { item = .list([item]) }
            return item
        }
        let ok = nested(RLP.maxDepth)
        #expect(try RLP.decode(RLP.encode(ok)) == ok)
        #expect(throws: RLPError.tooDeep) { try RLP.decode(RLP.encode(nested(RLP.maxDepth + 1))) }
        // Deep hostile nesting stops at the limit instead of recursing through the input.
        #expect(throws: RLPError.tooDeep) { try RLP.decode(RLP.encode(nested(1_000))) }
    }

    @Test("typed accessors refuse non-canonical and out-of-range integers")
    func typedAccessors() throws {
        #expect(try RLPItem(0).uint64Value() == 0)
        #expect(RLPItem(0) == .bytes([]))
        #expect(RLPItem(0x0102) == .bytes([1, 2]))
        #expect(try RLPItem(UInt64.max).uint64Value() == UInt64.max)
        #expect(throws: RLPError.nonCanonicalInteger) { try RLPItem.bytes([0]).uint64Value() }
        #expect(throws: RLPError.nonCanonicalInteger) { try RLPItem.bytes([0, 1]).uint256Value() }
        #expect(throws: RLPError.uintOverflow) { try RLPItem.bytes([1] + [UInt8](repeating: 0, count: 8)).uint64Value() }
        #expect(throws: RLPError.uintOverflow) { try RLPItem.bytes([1] + [UInt8](repeating: 0, count: 32)).uint256Value() }
        #expect(try RLPItem(UInt256.max).uint256Value() == .max)
        #expect(throws: RLPError.expectedString) { try RLPItem.list([]).uint64Value() }
        #expect(throws: RLPError.expectedList) { try RLPItem.bytes([]).listValue() }
        let a = try Address(hex: "0x095e7baea6a6c7c4c2dfeb977efac326af552d87")
        #expect(try RLPItem(a).addressValue() == a)
        #expect(throws: RLPError.self) { try RLPItem.bytes([UInt8](repeating: 1, count: 19)).addressValue() }
        #expect(throws: RLPError.self) { try RLPItem.bytes([UInt8](repeating: 1, count: 21)).addressValue() }
        let h = Hash32.keccak([1, 2, 3])
        #expect(try RLPItem(h).hash32Value() == h)
        #expect(throws: RLPError.self) { try RLPItem.bytes([UInt8](repeating: 1, count: 31)).hash32Value() }
    }

    @Test("long strings and lists use the long length forms at 56 bytes")
    func lengthBoundaries() throws {
        for n in [0, 1, 55, 56, 255, 256, 65_535, 65_536] {
            let s = RLPItem.bytes([UInt8](repeating: 0xaa, count: n))
            let enc = RLP.encode(s)
            #expect(try RLP.decode(enc) == s)
            let l = RLPItem.list([s])
            #expect(try RLP.decode(RLP.encode(l)) == l)
        }
        #expect(RLP.encode(.bytes([UInt8](repeating: 0xaa, count: 55))).first == 0xb7)
        #expect(Array(RLP.encode(.bytes([UInt8](repeating: 0xaa, count: 56))).prefix(2)) == [0xb8, 56])
    }
}
