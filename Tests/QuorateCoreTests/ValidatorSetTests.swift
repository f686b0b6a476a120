import QuorateCore
import QuorateCrypto
import QuorateTestSupport
import Testing

@Suite("validator sets")
struct ValidatorSetTests {
    static func validator(_ byte: UInt8, power: UInt64 = 1) -> Validator {
        Validator(address: TestKeys.addr(byte), nodeKey: [], power: power)
    }

    @Test("the set is sorted by address whatever the input order, and so is its hash")
    func sorted() throws {
        let a = try ValidatorSet([Self.validator(3), Self.validator(1), Self.validator(2)])
        let b = try ValidatorSet([Self.validator(2), Self.validator(3), Self.validator(1)])
        #expect(a.validators.map(\.address) == [TestKeys.addr(1), TestKeys.addr(2), TestKeys.addr(3)])
        #expect(a == b)
        #expect(a.hash == b.hash)
        #expect(a.count == 3 && a.totalPower == 3)
    }

    @Test("proposer rotates over the sorted set by height, then by round")
    func proposerRotation() throws {
        let (_, set) = TestKeys.validators(4)
        let sorted = set.validators.map(\.address)
        for height in UInt64(0)..<8 {
            #expect(set.proposer(height: height, round: 0) == sorted[Int(height % 4)])
            for round in UInt32(0)..<5 {
                #expect(set.proposer(height: height, round: round) == sorted[Int((height + UInt64(round)) % 4)])
            }
        }
        // Every validator proposes once in any 4 consecutive heights.
        #expect(Set((10..<14).map { set.proposer(height: UInt64($0), round: 0) }).count == 4)
        // The largest height and round do not trap.
        _ = set.proposer(height: .max, round: .max)
        let one = try ValidatorSet([Self.validator(9)])
        #expect(one.proposer(height: 123, round: 45) == TestKeys.addr(9))
    }

    @Test("quorum is 2f+1 and the one-third bound f+1 for n = 1, 4, 7, 10")
    func quorumValues() throws {
        let expected: [(n: Int, quorum: UInt64, oneThird: UInt64)] = [(1, 1, 1), (4, 3, 2), (7, 5, 3), (10, 7, 4)]
        for (n, quorum, oneThird) in expected {
            let set = try ValidatorSet((1...n).map { Self.validator(UInt8($0)) })
            #expect(set.quorumPower == quorum, "n=\(n)")
            #expect(set.oneThirdPlusOnePower == oneThird, "n=\(n)")
        }
        // Quorum is strictly more than two thirds: 3 of n=3, not 2.
        #expect(try ValidatorSet((1...3).map { Self.validator(UInt8($0)) }).quorumPower == 3)
    }

    @Test("lookups: index, contains and power")
    func lookups() throws {
        let set = try ValidatorSet([Self.validator(5, power: 7), Self.validator(1, power: 2), Self.validator(9)])
        #expect(set.index(of: TestKeys.addr(1)) == 0)
        #expect(set.index(of: TestKeys.addr(5)) == 1)
        #expect(set.index(of: TestKeys.addr(9)) == 2)
        #expect(set.index(of: TestKeys.addr(4)) == nil)
        #expect(set.index(of: TestKeys.addr(0)) == nil)
        #expect(set.index(of: TestKeys.addr(0xff)) == nil)
        #expect(set.contains(TestKeys.addr(5)) && !set.contains(TestKeys.addr(6)))
        #expect(set.power(of: TestKeys.addr(5)) == 7 && set.power(of: TestKeys.addr(6)) == 0)
        #expect(set.totalPower == 10)
    }

    @Test("invalid sets are refused: empty, duplicate, zero power, bad node key, too many, power overflow")
    func refused() throws {
        expectError(containing: "empty") { _ = try ValidatorSet([]) }
        expectError(containing: "\(TestKeys.addr(2)) is listed twice") {
            _ = try ValidatorSet([Self.validator(2), Self.validator(1), Self.validator(2, power: 3)])
        }
        expectError(containing: "\(TestKeys.addr(1)) has zero voting power") { _ = try ValidatorSet([Self.validator(1, power: 0)]) }
        expectError(containing: "33-byte compressed public key") {
            _ = try ValidatorSet([Validator(address: TestKeys.addr(1), nodeKey: [2, 3], power: 1)])
        }
        expectError(containing: "257 validators exceed the limit of 256") {
            _ = try ValidatorSet((0..<257).map { i in
                Validator(address: Address([UInt8](repeating: 0, count: 18) + [UInt8(i >> 8), UInt8(i & 0xff)]), nodeKey: [])
            })
        }
        expectError(containing: "overflows") {
            _ = try ValidatorSet([Self.validator(1, power: UInt64(Int64.max)), Self.validator(2, power: 1)])
        }
        expectError(containing: "overflows") {
            _ = try ValidatorSet([Self.validator(1, power: .max), Self.validator(2, power: .max)])
        }
    }

    @Test("RLP round trip keeps addresses, node keys and powers")
    func roundTrip() throws {
        let (_, set) = TestKeys.validators(4, powers: [1, 2, 3, 4])
        let decoded = try ValidatorSet(rlp: try RLP.decode(RLP.encode(set.rlp)))
        #expect(decoded == set)
        #expect(decoded.hash == set.hash)
        #expect(decoded.validators.allSatisfy { $0.nodeKey.count == 33 })
    }

    @Test("the hash commits to every validator's address, node key and power")
    func hashCommits() throws {
        let base = try ValidatorSet([Self.validator(1), Self.validator(2)])
        #expect(try ValidatorSet([Self.validator(1), Self.validator(3)]).hash != base.hash)
        #expect(try ValidatorSet([Self.validator(1), Self.validator(2, power: 2)]).hash != base.hash)
        let withKey = try ValidatorSet([Self.validator(1),
                                        Validator(address: TestKeys.addr(2), nodeKey: TestKeys.key(1).publicKey.compressed)])
        #expect(withKey.hash != base.hash)
        #expect(try ValidatorSet([Self.validator(1)]).hash != base.hash)
    }

    @Test("decoding refuses malformed and oversized sets")
    func malformed() throws {
        let one = Self.validator(1).address
        expectError(containing: "expected 3 fields, got 2") {
            _ = try ValidatorSet(rlp: .list([.list([RLPItem(one), RLPItem(bytes: [])])]))
        }
        expectError(containing: "257 validators exceed the limit of 256") {
            _ = try ValidatorSet(rlp: .list(Array(repeating: .list([RLPItem(one), RLPItem(bytes: []), RLPItem(1)]), count: 257)))
        }
        expectError(containing: "empty") { _ = try ValidatorSet(rlp: .list([])) }
        expectError(containing: "listed twice") {
            let v = RLPItem.list([RLPItem(one), RLPItem(bytes: []), RLPItem(1)])
            _ = try ValidatorSet(rlp: .list([v, v]))
        }
        expectError(containing: "") { _ = try ValidatorSet(rlp: .list([.list([RLPItem(bytes: [1, 2]), RLPItem(bytes: []), RLPItem(1)])])) }
    }
}
