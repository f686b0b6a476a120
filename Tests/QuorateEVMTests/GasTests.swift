import QuorateCore
import QuorateCrypto
import Testing
@testable import QuorateEVM

@Suite("Gas schedule")
struct GasTests {
    /// EIP-3529's table (London values, the slot already warm): code, execution gas, refund
    /// counter, original value of slot 0.
    static let sstoreTable: [(String, UInt64, UInt64, UInt256)] = [
        ("60006000556000600055", 212, 0, 0),
        ("60006000556001600055", 20112, 0, 0),
        ("60016000556000600055", 20112, 19900, 0),
        ("60016000556002600055", 20112, 0, 0),
        ("60016000556001600055", 20112, 0, 0),
        ("60006000556000600055", 3012, 4800, 1),
        ("60006000556001600055", 3012, 2800, 1),
        ("60006000556002600055", 3012, 0, 1),
        ("60026000556000600055", 3012, 4800, 1),
        ("60026000556003600055", 3012, 0, 1),
        ("60026000556001600055", 3012, 2800, 1),
        ("60026000556002600055", 3012, 0, 1),
        ("60016000556000600055", 3012, 4800, 1),
        ("60016000556002600055", 3012, 0, 1),
        ("60016000556001600055", 212, 0, 1),
        ("600160005560006000556001600055", 40118, 19900, 0),
        ("600060005560016000556000600055", 5918, 7600, 1),
    ]

    @Test("SSTORE charges and refunds as EIP-2200/3529's table says")
    func sstoreTableCases() throws {
        for (hex, execGas, refund, original) in Self.sstoreTable {
            let code = try Hex.decode(hex)
            let host = world(code: code)
            if !original.isZero { host.accounts[contract]!.storage[0] = original }
            let tx = callTx(gas: 100_000, accessList: [(address: contract, storageKeys: [0])])
            guard case .success(let o) = TransactionProcessor.apply(tx, host: host, block: testBlock) else {
                Issue.record("invalid transaction")
                continue
            }
            let intrinsic: UInt64 = 21000 + 2400 + 1900
            let before = o.gasUsed + o.gasRefunded
            #expect(before - intrinsic == execGas, "\(hex) original \(original)")
            #expect(o.gasRefunded == Swift.min(refund, before / 5), "\(hex) original \(original)")
        }
    }

    @Test("a cold SLOAD costs 2100 and a warm one 100; a cold BALANCE 2600 and a warm one 100")
    func warmAndCold() {
        // SLOAD(7) twice; BALANCE(0x77) twice; POP each.
        let code: [UInt8] = [0x60, 7, 0x54, 0x50, 0x60, 7, 0x54, 0x50, 0x60, 0x77, 0x31, 0x50, 0x60, 0x77, 0x31, 0x50]
        let (o, _) = run(code)
        let expected: UInt64 = 21000 + 10 + 2200 + 10 + 2700
        #expect(o.gasUsed == expected)
    }

    @Test("the coinbase is warm from the start (EIP-3651) and precompiles are warm")
    func warmCoinbaseAndPrecompiles() {
        let code: [UInt8] = [0x41, 0x31, 0x50, 0x60, 0x02, 0x31, 0x50]
        let (o, _) = run(code)
        #expect(o.gasUsed == UInt64(21209))
    }

    @Test("0x0a (KZG, absent here) is warm from the start as on mainnet: BALANCE of it costs 100")
    func pointEvaluationAddressIsWarm() {
        // BALANCE(0x0a), POP; then BALANCE(0x0b), POP, which is cold.
        let code: [UInt8] = [0x60, 0x0a, 0x31, 0x50, 0x60, 0x0b, 0x31, 0x50]
        let (o, _) = run(code)
        #expect(o.gasUsed == 21000 + 3 + 100 + 2 + 3 + 2600 + 2)
        #expect(!Precompiles.contains(Precompiles.pointEvaluationAddress))
    }

    @Test("memory expansion costs 3 per word plus words^2/512")
    func memoryExpansion() {
        // MSTORE8(1023, 1): 32 words -> 96 + 2 = 98.
        let code: [UInt8] = [0x60, 1, 0x61, 0x03, 0xff, 0x53]
        let (o, _) = run(code)
        #expect(o.gasUsed == UInt64(21107))
    }

    @Test("EXP charges 50 per exponent byte")
    func expCost() {
        let code: [UInt8] = [0x61, 0x01, 0x00, 0x60, 2, 0x0a]  // 2 ** 256
        let (o, _) = run(code)
        #expect(o.gasUsed == UInt64(21116))
    }

    @Test("a CALL with value to a new account pays 9000 + 25000 and the callee gets the 2300 stipend")
    func callValueToNewAccount() {
        // CALL(gas 0, 0x77 (cold), value 1, 0, 0, 0, 0); the stipend is returned unused.
        let code: [UInt8] = [0x5f, 0x5f, 0x5f, 0x5f, 0x60, 1, 0x60, 0x77, 0x5f, 0xf1]
        let host = world(code: code)
        host.accounts[contract]!.balance = 10
        let (o, h) = run(code, host: host)
        #expect(o.status == .success)
        // The callee gets 0 + 2300 and returns the 2300 unused: the stipend costs the caller nothing.
        let expected: UInt64 = 21000 + 8 + 8 + 2600 + 9000 + 25000 - 2300
        #expect(o.gasUsed == expected)
        #expect(h.accounts[address(0x77)]?.balance == 1)
    }

    @Test("the 63/64 rule caps the gas a CALL forwards")
    func allButOne64th() {
        // GAS-forwarding call to an account whose code is an infinite loop: it burns what it got.
        let loop = address(0x88)
        let code: [UInt8] = [0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x60, 0x88, 0x5a, 0xf1]
        let host = world(code: code, extra: [loop: .init(nonce: 1, code: [0x5b, 0x5f, 0x56])])
        let (o, _) = run(code, gas: 100_000, host: host)
        #expect(o.status == .success)
        let before: UInt64 = 100_000 - 21_000 - 2_615
        #expect(o.gasUsed == 100_000 - before / 64)
    }

    @Test("intrinsic gas counts data bytes, creation, initcode words and the access list")
    func intrinsic() {
        var tx = callTx(data: [0, 1, 2, 0])
        #expect(TransactionProcessor.intrinsicGas(tx) == 21000 + 4 + 16 + 16 + 4)
        tx.to = nil
        tx.data = [UInt8](repeating: 1, count: 33)
        #expect(TransactionProcessor.intrinsicGas(tx) == 21000 + 32000 + 33 * 16 + 2 * 2)
        tx = callTx(accessList: [(address: contract, storageKeys: [1, 2]), (address: sender, storageKeys: [])])
        #expect(TransactionProcessor.intrinsicGas(tx) == 21000 + 2 * 2400 + 2 * 1900)
    }
}
