import QuorateCore
import QuorateCrypto
import QuorateTestSupport
import Testing

@Suite("votes")
struct VoteTests {
    static let chainId: UInt64 = 1337
    static let block = Hash32([UInt8](repeating: 0xab, count: 32))

    @Test("a signed vote verifies and names its signer")
    func signAndVerify() throws {
        let key = TestKeys.key(1)
        let vote = try Vote.sign(chainId: Self.chainId, type: .precommit, height: 7, round: 2, blockHash: Self.block, key: key)
        #expect(vote.validator == TestKeys.address(key))
        #expect(vote.type == .precommit && vote.height == 7 && vote.round == 2 && vote.blockHash == Self.block)
        #expect(vote.hasValidSignature(chainId: Self.chainId))
    }

    @Test("a vote for nil signs and verifies")
    func nilVote() throws {
        let vote = try Vote.sign(chainId: Self.chainId, type: .prevote, height: 1, round: 0, blockHash: nil, key: TestKeys.key(2))
        #expect(vote.hasValidSignature(chainId: Self.chainId))
        var forZero = vote
        forZero.blockHash = .zero
        #expect(!forZero.hasValidSignature(chainId: Self.chainId), "nil and the zero hash are different votes")
    }

    @Test("a vote does not verify for another chain id, height, round, type, block or validator")
    func tamperedVotesFail() throws {
        let vote = try Vote.sign(chainId: Self.chainId, type: .prevote, height: 10, round: 3, blockHash: Self.block,
                                 key: TestKeys.key(3))
        #expect(!vote.hasValidSignature(chainId: Self.chainId + 1))
        var v = vote
        v.height = 11
        #expect(!v.hasValidSignature(chainId: Self.chainId))
        v = vote
        v.round = 4
        #expect(!v.hasValidSignature(chainId: Self.chainId))
        v = vote
        v.type = .precommit
        #expect(!v.hasValidSignature(chainId: Self.chainId))
        v = vote
        v.blockHash = Hash32([UInt8](repeating: 0xac, count: 32))
        #expect(!v.hasValidSignature(chainId: Self.chainId))
        v = vote
        v.blockHash = nil
        #expect(!v.hasValidSignature(chainId: Self.chainId))
        v = vote
        v.validator = TestKeys.address(TestKeys.key(4))
        #expect(!v.hasValidSignature(chainId: Self.chainId))
    }

    @Test("a signature made over other vote fields does not verify for these")
    func swappedSignature() throws {
        let key = TestKeys.key(5)
        let a = try Vote.sign(chainId: Self.chainId, type: .precommit, height: 5, round: 0, blockHash: Self.block, key: key)
        let b = try Vote.sign(chainId: Self.chainId, type: .precommit, height: 6, round: 0, blockHash: Self.block, key: key)
        var forged = a
        forged.signature = b.signature
        #expect(!forged.hasValidSignature(chainId: Self.chainId))
    }

    @Test("sign bytes: domain tag, then fixed-width chain id, type, height, round, nil flag and hash")
    func signBytesLayout() {
        let bytes = Vote.signBytes(chainId: 0x0102, type: .precommit, height: 0x0304, round: 0x05, blockHash: Self.block)
        let tag = Array("quorate/vote/v1\u{0}".utf8)
        #expect(bytes.count == tag.count + 8 + 1 + 8 + 4 + 1 + 32)
        #expect(Array(bytes.prefix(tag.count)) == tag)
        var rest = Array(bytes.dropFirst(tag.count))
        #expect(Array(rest.prefix(8)) == [0, 0, 0, 0, 0, 0, 1, 2])
        rest.removeFirst(8)
        #expect(rest.removeFirst() == VoteType.precommit.rawValue)
        #expect(Array(rest.prefix(8)) == [0, 0, 0, 0, 0, 0, 3, 4])
        rest.removeFirst(8)
        #expect(Array(rest.prefix(4)) == [0, 0, 0, 5])
        rest.removeFirst(4)
        #expect(rest.removeFirst() == 1)
        #expect(rest == Self.block.bytes)
        let forNil = Vote.signBytes(chainId: 0x0102, type: .precommit, height: 0x0304, round: 0x05, blockHash: nil)
        #expect(forNil.count == bytes.count && forNil != bytes)
        #expect(forNil.suffix(33) == ArraySlice([0] + Hash32.zero.bytes))
        let prevote = Vote.signBytes(chainId: 0x0102, type: .prevote, height: 0x0304, round: 0x05, blockHash: Self.block)
        #expect(prevote != bytes)
    }
}
