import QuorateCore
@testable import QuorateNode
import QuorateState
import Testing

@Suite("mempool funds")
struct MempoolFundsTests {
    typealias M = MempoolTests

    @Test("a later nonce must be paid for after the sender's earlier pooled transactions (as geth)")
    func cumulativeBalance() throws {
        let pool = Mempool()
        let account = Account(nonce: 0, balance: UInt256(100))
        try M.add(pool, M.tx(M.alice, 0, value: 60), M.alice, account: account)
        M.expectRejected("insufficient_funds", "have 40 want 60") {
            try M.add(pool, M.tx(M.alice, 1, value: 60), M.alice, account: account)
        }
        try M.add(pool, M.tx(M.alice, 1, value: 40), M.alice, account: account)
        #expect(pool.count == 2)
    }

    @Test("a replacement is checked against what the earlier nonces leave, not against itself")
    func replacementFunds() throws {
        let pool = Mempool()
        let account = Account(nonce: 0, balance: UInt256(100))
        try M.add(pool, M.tx(M.alice, 0, value: 90), M.alice, account: account)
        // Replacing nonce 0 with a larger value only competes with the balance, not with the old nonce 0.
        try M.add(pool, M.tx(M.alice, 0, tip: 1, feeCap: 1, value: 10), M.alice,
                  account: Account(nonce: 0, balance: UInt256(100_000)))
        #expect(pool.count == 1)
    }

    @Test("the sender's running cost follows removals: a dropped earlier nonce frees its value for a later one")
    func runningCostAfterRemoval() throws {
        let pool = Mempool()
        let account = Account(nonce: 0, balance: UInt256(100))
        let first = M.tx(M.alice, 0, value: 30), second = M.tx(M.alice, 1, value: 30)
        try M.add(pool, first, M.alice, account: account)
        try M.add(pool, second, M.alice, account: account)
        M.expectRejected("insufficient_funds", "have 40 want 50") {
            try M.add(pool, M.tx(M.alice, 2, value: 50), M.alice, account: account)
        }
        pool.remove([second.hash])
        // Nonce 1 is free again: 70 left after nonce 0.
        try M.add(pool, M.tx(M.alice, 1, value: 70), M.alice, account: account)
        M.expectRejected("insufficient_funds", "have 0 want 1") {
            try M.add(pool, M.tx(M.alice, 2, value: 1), M.alice, account: account)
        }
    }

    @Test("the running cost follows a replacement and a commit that advances the account")
    func runningCostAfterReplacementAndCommit() throws {
        let pool = Mempool()
        let account = Account(nonce: 0, balance: UInt256(100))
        let cheap = M.tx(M.alice, 0, value: 10)
        try M.add(pool, cheap, M.alice, account: account)
        let dear = M.tx(M.alice, 0, tip: 1, feeCap: 1, value: 80)
        try M.add(pool, dear, M.alice, account: Account(nonce: 0, balance: UInt256(100_000)))
        // The replacement's 80 (plus its fee) counts now, not the old 10.
        M.expectRejected("insufficient_funds", "want 30") {
            try M.add(pool, M.tx(M.alice, 1, value: 30), M.alice, account: account)
        }
        pool.removeCommitted([dear], senders: [M.address(M.alice)]) { _ in 1 }
        // Committed: the account's own balance is the whole story again.
        try M.add(pool, M.tx(M.alice, 1, value: 30), M.alice, account: Account(nonce: 1, balance: UInt256(30)))
        #expect(pool.count == 1)
    }

    @Test("a batch is pooled under one lock with the same answers as one at a time")
    func batchAnswers() throws {
        let pool = Mempool()
        let account = Account(nonce: 0, balance: UInt256(100))
        let sender = M.address(M.alice)
        let a = M.tx(M.alice, 0, value: 60), b = M.tx(M.alice, 1, value: 60), c = M.tx(M.alice, 1, value: 40)
        let answers = pool.add([(a, sender, account), (b, sender, account), (c, sender, account), (a, sender, account)])
        #expect(answers.map { $0?.reason } == [nil, "insufficient_funds", nil, "already_known"])
        #expect(pool.count == 2)
    }
}
