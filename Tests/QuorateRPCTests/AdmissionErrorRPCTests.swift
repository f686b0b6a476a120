import QuorateCore
import Testing
@testable import QuorateRPC

@Suite("eth_sendRawTransaction refusals in geth's words")
struct AdmissionErrorRPCTests {
    static let sender = Address([UInt8](repeating: 0xab, count: 20))

    /// Each refusal, the message geth gives for it (wallets and libraries match these), and its metric label.
    static let cases: [(AdmissionError, String, String)] = [
        (.alreadyKnown, "already known", "already_known"),
        (.nonceTooLow(next: 5, got: 4), "nonce too low: next nonce 5, tx nonce 4", "nonce_too_low"),
        (.nonceTooHigh(nonce: 14, accountNonce: 10, window: 4),
         "nonce too high: tx nonce 14 is 4 or more ahead of the account nonce 10", "nonce_too_high"),
        (.replacementUnderpriced, "replacement transaction underpriced", "replacement_underpriced"),
        (.poolFull, "txpool is full", "pool_full"),
        (.senderQueueFull(sender: sender, limit: 3), "txpool is full for sender \(sender): 3 transactions pending", "sender_queue_full"),
        (.invalidSender("no sender can be recovered"), "invalid sender: no sender can be recovered", "invalid_signature"),
        (.costOverflow, "gas * price + value overflows 256 bits", "overflow"),
        (.insufficientFunds("insufficient funds for gas * price + value: address x have 1 want 2"),
         "insufficient funds for gas * price + value: address x have 1 want 2", "insufficient_funds"),
        (.intrinsicGasTooLow("intrinsic gas too low: gas 20999, minimum needed 21000"),
         "intrinsic gas too low: gas 20999, minimum needed 21000", "intrinsic_gas_too_low"),
        (.exceedsBlockGasLimit("exceeds block gas limit: gas 40000000, block limit 30000000"),
         "exceeds block gas limit: gas 40000000, block limit 30000000", "gas_limit_too_high"),
        (.malformed("rlp: input too short"), "rlp: input too short", "invalid_transaction"),
        (.unavailable("disk read failed"), "the node could not read its state: disk read failed", "other"),
    ]

    @Test("each refusal answers -32000 with geth's message for it")
    func gethMessages() throws {
        let chain = FakeContractChain(count: 1)
        let d = RPCDispatcher()
        EthAPI.register(on: d, backend: chain)
        for (error, message, reason) in Self.cases {
            chain.submitError.withLock { $0 = error }
            let answer = d.call("eth_sendRawTransaction", RPCParams([.string("0x02")]))
            #expect(throws: RPCError.server(message)) { try answer.get() }
            #expect(error.reason == reason, "\(error)")
        }
        chain.submitError.withLock { $0 = nil }
        #expect(try d.call("eth_sendRawTransaction", RPCParams([.string("0x02")])).get() == .string(Hash32.keccak([2]).hex))
    }
}
