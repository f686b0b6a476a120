import Foundation
import QuorateCore
import Testing
@testable import QuorateP2P

@Suite struct WireMessageTests {
    static let limits = WireMessage.Limits(maxTransactions: 1000, maxBlocks: 64)

    static func decode(_ bytes: [UInt8]) throws(WireMessage.DecodingError) -> WireMessage {
        try WireMessage.decode(bytes, limits: limits)
    }

    @Test("every message type round-trips", arguments: [
        WireMessage.hello(Hello(version: WireMessage.protocolVersion, chainId: 1337, genesisHash: .keccak([1]), height: 99)),
        .transactions([]), .transactions([[], [1], pattern(70_000)]),
        .consensus([]), .consensus(pattern(300)),
        .status(height: 0), .status(height: .max),
        .getBlocks(start: 12, count: 64),
        .blocks([]), .blocks((0..<64).map { pattern($0) }),
        .poolHashes([]), .poolHashes((0..<4096).map { Hash32.keccak([UInt8(truncatingIfNeeded: $0), UInt8($0 >> 8)]) }),
        .getPoolTransactions([.keccak([7])]), .goodbye(.duplicateConnection), .goodbye(.other(200)),
    ])
    func roundTrip(message: WireMessage) throws {
        #expect(try Self.decode(message.encoded()) == message)
    }

    @Test("the encodings are as documented in docs/network.md")
    func layout() {
        let hello = WireMessage.hello(Hello(version: 1, chainId: 0x0102, genesisHash: Hash32([UInt8](repeating: 0xAB, count: 32)), height: 7))
        #expect(hello.encoded() == [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 2] + [UInt8](repeating: 0xAB, count: 32) + [0, 0, 0, 0, 0, 0, 0, 7])
        #expect(WireMessage.transactions([[0xC0], []]).encoded() == [2, 0, 0, 0, 2, 0, 0, 0, 1, 0xC0, 0, 0, 0, 0])
        #expect(WireMessage.consensus([9, 8]).encoded() == [3, 9, 8])
        #expect(WireMessage.status(height: 0x0A0B).encoded() == [4, 0, 0, 0, 0, 0, 0, 0x0A, 0x0B])
        #expect(WireMessage.getBlocks(start: 5, count: 3).encoded() == [5, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 3])
        #expect(WireMessage.blocks([[1, 2]]).encoded() == [6, 0, 0, 0, 1, 0, 0, 0, 2, 1, 2])
        #expect(WireMessage.listSize([[1, 2], []]) == WireMessage.blocks([[1, 2], []]).encoded().count)
        let hash = Hash32([UInt8](repeating: 0xCD, count: 32))
        #expect(WireMessage.poolHashes([hash]).encoded() == [7, 0, 0, 0, 1] + hash.bytes)
        #expect(WireMessage.getPoolTransactions([hash, hash]).encoded() == [8, 0, 0, 0, 2] + hash.bytes + hash.bytes)
        #expect(WireMessage.goodbye(.duplicateConnection).encoded() == [9, 1])
    }

    @Test("malformed messages are refused with a reason", arguments: [
        ([], "empty message"),
        ([0x00], "unknown message tag 0x0"),
        ([0xFF, 1], "unknown message tag 0xff"),
        ([0x01, 0, 0, 0, 3, 0, 0], "hello too short"),
        ([0x01, 0, 0], "hello too short"),
        ([0x04, 0, 0, 0, 0, 0, 0, 0], "status too short"),
        ([0x04, 0, 0, 0, 0, 0, 0, 0, 1, 0], "1 trailing bytes after a status message"),
        ([0x05, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0], "getBlocks too short"),
        ([0x02, 0, 0, 0], "transactions message too short"),
        ([0x02, 0, 0, 0x03, 0xE9], "1001 transactions in one message, above the limit of 1000"),
        ([0x06, 0, 0, 0, 65], "65 blocks in one message, above the limit of 64"),
        ([0x02, 0, 0, 0x03, 0xE8, 0, 0, 0, 0], "transactions message announces 1000 items but holds 4 bytes"),
        ([0x02, 0, 0, 0, 1, 0, 0, 0, 5, 1, 2], "transactions item 0 announces 5 bytes but 2 remain"),
        ([0x06, 0, 0, 0, 2, 0, 0, 0, 1, 0xAA, 0, 0, 0], "blocks item 1 truncated"),
        ([0x07, 0, 0, 0x10, 0x01], "4097 hashes in one poolHashes message, above the limit of 4096"),
        ([0x07, 0, 0, 0, 2] + [UInt8](repeating: 1, count: 33), "poolHashes message announces 2 hashes but holds 33 bytes"),
        ([0x08, 0, 0, 0, 1] + [UInt8](repeating: 1, count: 31), "getPoolTransactions message announces 1 hashes but holds 31 bytes"),
        ([0x08, 0, 0], "getPoolTransactions message too short"),
        ([0x09], "goodbye too short"),
        ([0x09, 1, 0], "1 trailing bytes after a goodbye message"),
    ] as [([UInt8], String)])
    func malformed(bytes: [UInt8], reason: String) {
        #expect(throws: WireMessage.DecodingError(reason)) { try Self.decode(bytes) }
    }

    @Test("a hello of another protocol version decodes to its version only, whatever follows")
    func otherVersion() throws {
        guard case let .hello(hello) = try Self.decode([0x01, 0, 0, 0, 4, 0xFF]) else {
            Issue.record("not a hello")
            return
        }
        #expect(hello.version == 4)
    }

    private func take(_ bucket: inout TokenBucket, _ now: ContinuousClock.Instant) -> Bool { bucket.take(now: now) }

    @Test("the token bucket allows the burst, then the rate")
    func tokenBucket() {
        let start = ContinuousClock.now
        var bucket = TokenBucket(rate: 10, burst: 5, now: start)
        var taken = 0
        for _ in 0..<5 where bucket.take(now: start) { taken += 1 }
        #expect(taken == 5)
        #expect(!take(&bucket, start))
        #expect(take(&bucket, start + .milliseconds(100)))
        #expect(!take(&bucket, start + .milliseconds(100)))
        // Refill is capped at the burst.
        let later = start + .seconds(100)
        taken = 0
        for _ in 0..<5 where bucket.take(now: later) { taken += 1 }
        #expect(taken == 5)
        #expect(!take(&bucket, later))
    }
}
