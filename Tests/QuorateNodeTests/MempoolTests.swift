import QuorateCore
import QuorateCrypto
@testable import QuorateNode
import QuorateRPC
import QuorateState
import Testing

@Suite("mempool")
struct MempoolTests {
    static let chainId: UInt64 = 1337
    static func key(_ i: UInt8) -> Secp256k1.PrivateKey { try! Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [i]) }
    static let alice = key(0x11), bob = key(0x12), carol = key(0x13)
    static func address(_ k: Secp256k1.PrivateKey) -> Address { Address(k.publicKey.ethereumAddress) }
    static let rich = Account(nonce: 0, balance: UInt256(UInt64(1) << 62))
    static let sink = Address([UInt8](repeating: 0x77, count: 20))

    static func tx(_ key: Secp256k1.PrivateKey, _ nonce: UInt64, tip: UInt256 = 0, feeCap: UInt256 = 0, value: UInt256 = 1,
                   data: [UInt8] = []) -> Transaction {
        try! UnsignedTransaction(chainId: chainId, nonce: nonce, maxPriorityFeePerGas: tip, maxFeePerGas: feeCap,
                                 gasLimit: 21_000 + 16 * UInt64(data.count), to: sink, value: value, data: data).signed(with: key)
    }

    static func limits(maxTransactions: Int = 200_000, maxBytes: Int = 128 << 20, maxPerSender: Int = 4_096) -> Mempool.Limits {
        var l = Mempool.Limits()
        l.maxTransactions = maxTransactions
        l.maxBytes = maxBytes
        l.maxPerSender = maxPerSender
        return l
    }

    static func add(_ pool: Mempool, _ tx: Transaction, _ key: Secp256k1.PrivateKey, account: Account = rich) throws {
        try pool.add(tx, sender: address(key), account: account)
    }

    /// `reason` is the refusal's metric label (`AdmissionError.reason`); `text` a part of its geth message.
    static func expectRejected(_ reason: String, _ text: String, sourceLocation: SourceLocation = #_sourceLocation,
                               _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("accepted, expected \(reason)", sourceLocation: sourceLocation)
        } catch let r as AdmissionError {
            #expect(r.reason == reason, sourceLocation: sourceLocation)
            #expect(r.message.contains(text), "\(r)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    static func hashes(_ candidates: [BlockBuilder.Candidate]) -> [Hash32] { candidates.map(\.transaction.hash) }

    @Test("an added transaction is pooled with its sender")
    func addAndLookUp() throws {
        let pool = Mempool()
        let t = Self.tx(Self.alice, 0)
        try Self.add(pool, t, Self.alice)
        #expect(pool.count == 1 && pool.contains(t.hash))
        #expect(pool.sender(of: t.hash) == Self.address(Self.alice))
        #expect(pool.entry(t.hash)?.transaction == t)
        #expect(pool.sender(of: Hash32.keccak([1])) == nil)
    }

    @Test("the same transaction twice is refused: already known")
    func duplicate() throws {
        let pool = Mempool()
        let t = Self.tx(Self.alice, 0)
        try Self.add(pool, t, Self.alice)
        Self.expectRejected("already_known", "already known") { try Self.add(pool, t, Self.alice) }
        #expect(pool.count == 1)
    }

    @Test("a nonce below the account's is refused: nonce too low")
    func nonceTooLow() throws {
        let pool = Mempool()
        Self.expectRejected("nonce_too_low", "nonce too low: next nonce 5, tx nonce 4") {
            try Self.add(pool, Self.tx(Self.alice, 4), Self.alice, account: Account(nonce: 5, balance: Self.rich.balance))
        }
        #expect(pool.count == 0)
    }

    @Test("a nonce too far ahead of the account's is refused: nonce too high")
    func nonceTooFarAhead() throws {
        let pool = Mempool(limits: Self.limits(maxPerSender: 4))
        let account = Account(nonce: 10, balance: Self.rich.balance)
        try Self.add(pool, Self.tx(Self.alice, 13), Self.alice, account: account)
        Self.expectRejected("nonce_too_high", "nonce too high: tx nonce 14 is 4 or more ahead of the account nonce 10") {
            try Self.add(pool, Self.tx(Self.alice, 14), Self.alice, account: account)
        }
    }

    @Test("a sender who cannot pay gas * fee cap + value is refused with geth's message")
    func insufficientFunds() throws {
        let pool = Mempool()
        let sender = Self.address(Self.alice)
        Self.expectRejected("insufficient_funds", "insufficient funds for gas * price + value: address \(sender) have 21000 want 21001") {
            try Self.add(pool, Self.tx(Self.alice, 0, tip: 1, feeCap: 1, value: 1), Self.alice, account: Account(balance: 21_000))
        }
    }

    @Test("per-sender limit: a sender cannot hold more than maxPerSender transactions")
    func perSenderLimit() throws {
        let pool = Mempool(limits: Self.limits(maxPerSender: 3))
        for n in 0..<3 { try Self.add(pool, Self.tx(Self.alice, UInt64(n)), Self.alice) }
        // The fourth is refused: its nonce is outside the sender's window of 3.
        Self.expectRejected("nonce_too_high", "nonce too high: tx nonce 3 is 3 or more ahead of the account nonce 0") {
            try Self.add(pool, Self.tx(Self.alice, 3), Self.alice)
        }
        // The account moved on but the pool still holds nonce 0 (no removeCommitted yet): the
        // queue itself is full.
        Self.expectRejected("sender_queue_full", "txpool is full for sender \(Self.address(Self.alice)): 3 transactions pending") {
            try Self.add(pool, Self.tx(Self.alice, 3), Self.alice, account: Account(nonce: 1, balance: Self.rich.balance))
        }
        // Other senders are not affected.
        try Self.add(pool, Self.tx(Self.bob, 0), Self.bob)
        #expect(pool.count == 4)
    }

    @Test("global limits: transaction count and bytes")
    func globalLimits() throws {
        let pool = Mempool(limits: Self.limits(maxTransactions: 2))
        try Self.add(pool, Self.tx(Self.alice, 0), Self.alice)
        try Self.add(pool, Self.tx(Self.bob, 0), Self.bob)
        Self.expectRejected("pool_full", "txpool is full") { try Self.add(pool, Self.tx(Self.carol, 0), Self.carol) }
        // A replacement does not grow the pool, so it is still allowed.
        try Self.add(pool, Self.tx(Self.alice, 0, tip: 10, feeCap: 10), Self.alice)
        #expect(pool.count == 2)

        let small = Self.tx(Self.alice, 0)
        let byBytes = Mempool(limits: Self.limits(maxBytes: small.raw.count * 2 + 10))
        try Self.add(byBytes, small, Self.alice)
        try Self.add(byBytes, Self.tx(Self.bob, 0), Self.bob)
        Self.expectRejected("pool_full", "txpool is full") { try Self.add(byBytes, Self.tx(Self.carol, 0, data: [1]), Self.carol) }
        // Removing makes room again.
        byBytes.remove([small.hash])
        try Self.add(byBytes, Self.tx(Self.carol, 0, data: [1]), Self.carol)
    }

    @Test("replacement needs at least a 10% bump on both the fee cap and the tip")
    func replacement() throws {
        let pool = Mempool()
        let original = Self.tx(Self.alice, 0, tip: 100, feeCap: 200)
        try Self.add(pool, original, Self.alice)
        for (tip, feeCap) in [(UInt256(110), UInt256(219)), (109, 220), (100, 1_000), (1_000, 200), (50, 300)] {
            Self.expectRejected("replacement_underpriced", "replacement transaction underpriced") {
                try Self.add(pool, Self.tx(Self.alice, 0, tip: tip, feeCap: feeCap), Self.alice)
            }
        }
        #expect(pool.contains(original.hash) && pool.count == 1)
        let bumped = Self.tx(Self.alice, 0, tip: 110, feeCap: 220)
        try Self.add(pool, bumped, Self.alice)
        #expect(!pool.contains(original.hash) && pool.contains(bumped.hash) && pool.count == 1)
        #expect(Self.hashes(pool.executable(limit: 10)) == [bumped.hash])
        // The bump is relative to the transaction being replaced now.
        Self.expectRejected("replacement_underpriced", "replacement transaction underpriced") {
            try Self.add(pool, Self.tx(Self.alice, 0, tip: 120, feeCap: 241), Self.alice)
        }
        try Self.add(pool, Self.tx(Self.alice, 0, tip: 121, feeCap: 242), Self.alice)
    }

    @Test("on a free-gas network a zero-fee transaction can be replaced at zero fees (Besu's zero-base-fee rule)")
    func zeroFeeReplacement() throws {
        let pool = Mempool()
        try Self.add(pool, Self.tx(Self.alice, 0, value: 1), Self.alice)
        let replacement = Self.tx(Self.alice, 0, value: 2)
        try Self.add(pool, replacement, Self.alice)
        #expect(pool.count == 1 && pool.contains(replacement.hash))
    }

    @Test("executable() holds back gaps and returns each sender's transactions in nonce order")
    func executableNonceOrder() throws {
        let pool = Mempool()
        let a2 = Self.tx(Self.alice, 2), a0 = Self.tx(Self.alice, 0), a1 = Self.tx(Self.alice, 1), a5 = Self.tx(Self.alice, 5)
        for t in [a2, a5, a0, a1] { try Self.add(pool, t, Self.alice) }
        let b1 = Self.tx(Self.bob, 1)
        try Self.add(pool, b1, Self.bob)  // bob's nonce 0 is missing: nothing of bob's can run
        let out = pool.executable(limit: 100)
        #expect(Self.hashes(out) == [a0, a1, a2].map(\.hash))
        #expect(out.allSatisfy { $0.sender == Self.address(Self.alice) })
        #expect(pool.count == 5, "executable() does not remove")
    }

    @Test("executable() takes senders round-robin, in order of arrival, within the limit")
    func roundRobin() throws {
        let pool = Mempool()
        let a = (0..<3).map { Self.tx(Self.alice, UInt64($0)) }
        let b = (0..<2).map { Self.tx(Self.bob, UInt64($0)) }
        let c = [Self.tx(Self.carol, 0)]
        try Self.add(pool, b[0], Self.bob)
        for t in a { try Self.add(pool, t, Self.alice) }
        try Self.add(pool, b[1], Self.bob)
        try Self.add(pool, c[0], Self.carol)
        #expect(Self.hashes(pool.executable(limit: 100)) == [b[0], a[0], c[0], b[1], a[1], a[2]].map(\.hash))
        #expect(Self.hashes(pool.executable(limit: 4)) == [b[0], a[0], c[0], b[1]].map(\.hash))
        #expect(pool.executable(limit: 0).isEmpty)
    }

    @Test("removeCommitted drops the block's transactions and those its nonces made stale")
    func removeCommitted() throws {
        let pool = Mempool()
        let a = (0..<4).map { Self.tx(Self.alice, UInt64($0)) }
        for t in a { try Self.add(pool, t, Self.alice) }
        // A competing transaction for alice's nonce 1 was committed (not the pooled one).
        let competing = Self.tx(Self.alice, 1, value: 99)
        let b0 = Self.tx(Self.bob, 0)
        try Self.add(pool, b0, Self.bob)
        pool.removeCommitted([a[0], competing, b0], senders: [Self.address(Self.alice), Self.address(Self.alice), Self.address(Self.bob)],
                             nonceOf: { $0 == Self.address(Self.alice) ? 2 : 1 })
        #expect(!pool.contains(a[0].hash) && !pool.contains(a[1].hash) && !pool.contains(b0.hash))
        #expect(pool.count == 2)
        #expect(Self.hashes(pool.executable(limit: 10)) == [a[2], a[3]].map(\.hash))
        #expect(pool.pendingNonce(of: Self.address(Self.alice), accountNonce: 2) == 4)
        #expect(pool.pendingNonce(of: Self.address(Self.bob), accountNonce: 1) == 1)
        // Byte accounting follows: everything can be removed and the pool is empty.
        pool.removeCommitted([a[2], a[3]], senders: [Self.address(Self.alice), Self.address(Self.alice)], nonceOf: { _ in 4 })
        #expect(pool.count == 0 && pool.executable(limit: 10).isEmpty)
    }

    @Test("a gap filled by a block elsewhere makes the waiting transactions executable")
    func gapFilledByBlock() throws {
        let pool = Mempool()
        let a1 = Self.tx(Self.alice, 1), a2 = Self.tx(Self.alice, 2)
        try Self.add(pool, a1, Self.alice)
        try Self.add(pool, a2, Self.alice)
        #expect(pool.executable(limit: 10).isEmpty)
        pool.removeCommitted([Self.tx(Self.alice, 0)], senders: [Self.address(Self.alice)], nonceOf: { _ in 1 })
        #expect(Self.hashes(pool.executable(limit: 10)) == [a1.hash, a2.hash])
    }

    @Test("pendingNonce is the next nonce after the sender's contiguous pooled transactions")
    func pendingNonce() throws {
        let pool = Mempool()
        let alice = Self.address(Self.alice)
        #expect(pool.pendingNonce(of: alice, accountNonce: 7) == 7)
        try Self.add(pool, Self.tx(Self.alice, 0), Self.alice)
        try Self.add(pool, Self.tx(Self.alice, 1), Self.alice)
        try Self.add(pool, Self.tx(Self.alice, 3), Self.alice)
        #expect(pool.pendingNonce(of: alice, accountNonce: 0) == 2)
        try Self.add(pool, Self.tx(Self.alice, 2), Self.alice)
        #expect(pool.pendingNonce(of: alice, accountNonce: 0) == 4)
        #expect(pool.pendingNonce(of: alice, accountNonce: 10) == 10, "an account ahead of the pool wins")
    }

    @Test("remove() drops rejected transactions and keeps the rest")
    func remove() throws {
        let pool = Mempool()
        let a0 = Self.tx(Self.alice, 0), a1 = Self.tx(Self.alice, 1), b0 = Self.tx(Self.bob, 0)
        for (t, k) in [(a0, Self.alice), (a1, Self.alice), (b0, Self.bob)] { try Self.add(pool, t, k) }
        pool.remove([a0.hash, Hash32.keccak([1])])
        #expect(pool.count == 2 && !pool.contains(a0.hash))
        #expect(Self.hashes(pool.executable(limit: 10)) == [b0.hash], "alice's nonce 1 now waits for a nonce 0")
        #expect(pool.pendingNonce(of: Self.address(Self.alice), accountNonce: 0) == 0)
        // The removed transaction may come back.
        try Self.add(pool, a0, Self.alice)
        #expect(Self.hashes(pool.executable(limit: 10)) == [b0.hash, a0.hash, a1.hash])
    }
}
