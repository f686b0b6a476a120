import QuorateCore
import Testing
@testable import QuorateEVM

@Suite("Transaction processing")
struct TransactionTests {
    func expectInvalid(_ tx: EVMTransaction, _ error: InvalidTransaction, host: TestHost? = nil,
                       block: BlockContext = testBlock, sourceLocation: SourceLocation = #_sourceLocation) {
        let h = host ?? world(code: [0x00])
        let before = h.accounts
        switch TransactionProcessor.apply(tx, host: h, block: block) {
        case .success: Issue.record("invalid transaction accepted", sourceLocation: sourceLocation)
        case .failure(let e): #expect(e == error, sourceLocation: sourceLocation)
        }
        #expect(h.accounts == before, "an invalid transaction writes nothing", sourceLocation: sourceLocation)
    }

    @Test("every invalid transaction is refused before any state write")
    func invalidTransactions() {
        var tx = callTx()
        tx.type = 3
        expectInvalid(tx, .blobTransactionsUnsupported)
        expectInvalid(callTx(nonce: 1), .nonceTooHigh(expected: 0, got: 1))
        let used = world(code: [0x00])
        used.accounts[sender]!.nonce = 5
        expectInvalid(callTx(nonce: 4), .nonceTooLow(expected: 5, got: 4), host: used)
        expectInvalid(callTx(nonce: .max), .nonceMax)
        expectInvalid(callTx(gas: 30_000_001), .gasLimitAboveBlockLimit(gasLimit: 30_000_001, blockGasLimit: 30_000_000))
        expectInvalid(callTx(data: [1], gas: 21_000), .intrinsicGasTooLow(needed: 21_016, got: 21_000))
        tx = callTx()
        tx.maxFeePerGas = 6
        tx.maxPriorityFeePerGas = 1
        expectInvalid(tx, .feeCapBelowBaseFee(maxFeePerGas: 6, baseFee: 7))
        tx.maxFeePerGas = 10
        tx.maxPriorityFeePerGas = 11
        expectInvalid(tx, .priorityFeeAboveFeeCap)
        tx = callTx()
        tx.type = 0
        tx.gasPrice = 6
        expectInvalid(tx, .feeCapBelowBaseFee(maxFeePerGas: 6, baseFee: 7))
        let poor = world(code: [0x00])
        poor.accounts[sender]!.balance = 10_000_000 - 1
        expectInvalid(callTx(), .insufficientFunds(needed: 10_000_000, balance: 10_000_000 - 1), host: poor)
        tx = callTx(value: .max)
        expectInvalid(tx, .insufficientFunds(needed: .max, balance: UInt256(1) << 100))
        let contractSender = world(code: [0x00])
        contractSender.accounts[sender]!.code = [0x00]
        expectInvalid(callTx(), .senderHasCode, host: contractSender)
    }

    @Test("the sender pays gasUsed at the effective price, the coinbase gets only the priority fee")
    func feeAccounting() {
        let host = world(code: [0x00])
        let start = host.accounts[sender]!.balance
        guard case .success(let o) = TransactionProcessor.apply(callTx(value: 3), host: host, block: testBlock) else {
            Issue.record("valid transaction refused")
            return
        }
        #expect(o.gasUsed == 21000)
        // maxFee 10, priority 1, base fee 7: effective price 8, coinbase gets 1 per gas.
        #expect(host.accounts[sender]!.balance == start - UInt256(21000 * 8) - 3)
        #expect(host.accounts[sender]!.nonce == 1)
        #expect(host.accounts[coinbase]!.balance == 21000)
        #expect(host.accounts[contract]!.balance == 3)
    }

    @Test("a zero-fee transaction leaves an empty coinbase absent; a touched empty account is removed (EIP-161)")
    func emptyAccountsRemoved() {
        var block = testBlock
        block.baseFee = 10
        let empty = address(0x66)
        // CALL(0, empty, 0, ...) touches an existing empty account.
        let code: [UInt8] = [0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x60, 0x66, 0x5f, 0xf1]
        let host = world(code: code, extra: [empty: .init(), coinbase: .init()])
        guard case .success(let o) = TransactionProcessor.apply(callTx(), host: host, block: block) else {
            Issue.record("valid transaction refused")
            return
        }
        #expect(o.status == .success)
        #expect(host.accounts[empty] == nil)
        #expect(host.accounts[coinbase] == nil)
    }

    @Test("SELFDESTRUCT of an older contract only moves its balance (EIP-6780)")
    func selfDestructOldContract() {
        let heir = address(0x99)
        let code: [UInt8] = [0x60, 0x99, 0xff]
        let host = world(code: code)
        host.accounts[contract]!.balance = 50
        host.accounts[contract]!.storage[1] = 1
        let (o, h) = run(code, host: host)
        #expect(o.status == .success)
        #expect(h.accounts[heir]?.balance == 50)
        #expect(h.accounts[contract]?.code == code)
        #expect(h.accounts[contract]?.storage[1] == 1)
        #expect(h.accounts[contract]?.balance == 0)
        // 5000 + 2600 cold beneficiary + 25000 new account (value moves to a dead account).
        #expect(o.gasUsed == 21000 + 3 + 5000 + 2600 + 25000)
    }

    @Test("SELFDESTRUCT of a contract created in the same transaction deletes it")
    func selfDestructNewContract() {
        // Initcode: SELFDESTRUCT(0x99) with the endowment.
        let tx = callTx(to: nil, data: [0x60, 0x99, 0xff], gas: 200_000, value: 7)
        let host = world(code: [])
        guard case .success(let o) = TransactionProcessor.apply(tx, host: host, block: testBlock) else {
            Issue.record("valid transaction refused")
            return
        }
        #expect(o.status == .success)
        #expect(host.accounts[ContractAddress.create(sender: sender, nonce: 0)] == nil)
        #expect(host.accounts[address(0x99)]?.balance == 7)
    }

    @Test("a reverted transaction keeps the nonce and gas payment and undoes the value transfer")
    func revertedTransaction() {
        let code: [UInt8] = [0x60, 1, 0x5f, 0x55, 0x5f, 0x5f, 0xfd]
        let host = world(code: code)
        guard case .success(let o) = TransactionProcessor.apply(callTx(value: 9), host: host, block: testBlock) else {
            Issue.record("valid transaction refused")
            return
        }
        #expect(o.status == .revert)
        #expect(host.accounts[contract]?.balance == 0)
        #expect(host.accounts[contract]?.storage.isEmpty == true)
        #expect(host.accounts[sender]?.nonce == 1)
        #expect(o.gasUsed == 21000 + 3 + 2 + 22100 + 2 + 2)
    }
}

final class RecordingTracer: EVMTracer {
    var steps: [TraceStep] = []
    var ended: (gasUsed: UInt64, error: String?)?
    func step(_ step: TraceStep) { steps.append(step) }
    func transactionEnded(output: [UInt8], gasUsed: UInt64, error: String?) { ended = (gasUsed, error) }
}

@Suite("Tracing")
struct TracerTests {
    @Test("the tracer sees every step with pc, opcode, gas, cost, stack and depth, then the end")
    func tracesSteps() {
        // PUSH1 2; PUSH1 3; ADD; PUSH0; MSTORE; STOP
        let code: [UInt8] = [0x60, 2, 0x60, 3, 0x01, 0x5f, 0x52, 0x00]
        let tracer = RecordingTracer()
        let host = world(code: code)
        _ = TransactionProcessor.apply(callTx(gas: 100_000), host: host, block: testBlock, tracer: tracer)
        #expect(tracer.steps.map(\.pc) == [0, 2, 4, 5, 6, 7])
        #expect(tracer.steps.map(\.opcode) == [0x60, 0x60, 0x01, 0x5f, 0x52, 0x00])
        #expect(tracer.steps.map(\.gasCost) == [3, 3, 3, 2, 6, 0])
        #expect(tracer.steps.first?.gas == 79_000)
        #expect(tracer.steps[2].stack == [2, 3])
        #expect(tracer.steps[5].memorySize == 32)
        #expect(tracer.steps.allSatisfy { $0.depth == 1 })
        #expect(tracer.ended?.gasUsed == 21017)
        #expect(tracer.ended?.error == nil)
    }
}
