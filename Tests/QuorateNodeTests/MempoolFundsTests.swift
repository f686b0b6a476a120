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
}
