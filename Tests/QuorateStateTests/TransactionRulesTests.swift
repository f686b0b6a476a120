import QuorateCore
import QuorateCrypto
import QuorateState
import QuorateTestSupport
import Testing

@Suite("transaction rules")
struct TransactionRulesTests {
    typealias F = StateFixture

    static func refused(_ tx: Transaction, fees: FeeParams = FeeParams(), kind: TransactionRejection.Kind, _ text: String,
                        sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try TransactionRules.checkStateless(tx, chainId: F.chainId, fees: fees)
            Issue.record("accepted, expected \(kind)", sourceLocation: sourceLocation)
        } catch let rejection as TransactionRejection {
            #expect(rejection.kind == kind, sourceLocation: sourceLocation)
            #expect(rejection.description == text, sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test("a plain transfer of each type passes the stateless rules")
    func validPasses() throws {
        var fees = FeeParams()
        fees.baseFeePerGas = 7
        try TransactionRules.checkStateless(try F.transfer(F.alice, nonce: 0, to: F.bobAddress, value: 1, tip: 1, feeCap: 7),
                                            chainId: F.chainId, fees: fees)
        try TransactionRules.checkStateless(
            try UnsignedTransaction(type: .legacy, chainId: F.chainId, gasPrice: 7, to: F.bobAddress).signed(with: F.alice),
            chainId: F.chainId, fees: fees)
        try TransactionRules.checkStateless(
            try UnsignedTransaction(type: .accessList, chainId: F.chainId, gasPrice: 8, gasLimit: 21_000 + 2_400 + 1_900, to: F.bobAddress,
                                    accessList: [AccessListEntry(address: F.carolAddress, storageKeys: [Hash32.zero])]).signed(with: F.alice),
            chainId: F.chainId, fees: fees)
        // Zero gas price on a zero base fee: a "free gas" network.
        try TransactionRules.checkStateless(try F.transfer(F.alice, nonce: 0, to: F.bobAddress, value: 1), chainId: F.chainId, fees: FeeParams())
    }

    @Test("unprotected legacy transactions are refused, as geth does by default")
    func unprotected() throws {
        let tx = try UnsignedTransaction(type: .legacy, chainId: nil, gasPrice: 1, to: F.bobAddress).signed(with: F.alice)
        Self.refused(tx, kind: .unprotected, "only replay-protected (EIP-155) transactions allowed over RPC")
    }

    @Test("a transaction signed for another chain is refused")
    func wrongChainId() throws {
        let typed = try F.transfer(F.alice, nonce: 0, to: F.bobAddress, value: 1, chainId: 1)
        Self.refused(typed, kind: .wrongChainId, "invalid chain id for signer: have 1 want 1337")
        let legacy = try UnsignedTransaction(type: .legacy, chainId: 5, gasPrice: 1, to: F.bobAddress).signed(with: F.alice)
        Self.refused(legacy, kind: .wrongChainId, "invalid chain id for signer: have 5 want 1337")
    }

    @Test("initcode over EIP-3860's limit is refused with geth's message; a creation within it passes")
    func initcodeLimit() throws {
        var fees = FeeParams()
        fees.maxTransactionDataBytes = 64 * 1024
        let big = try UnsignedTransaction(chainId: F.chainId, gasLimit: 1_000_000, to: nil,
                                          data: [UInt8](repeating: 0, count: Transaction.maxInitCodeBytes + 1)).signed(with: F.alice)
        Self.refused(big, fees: fees, kind: .oversizedData, "max initcode size exceeded: code size 49153 limit 49152")
        let small = try UnsignedTransaction(chainId: F.chainId, gasLimit: 100_000, to: nil, data: [0x60, 0x00]).signed(with: F.alice)
        #expect(throws: Never.self) { try TransactionRules.checkStateless(small, chainId: F.chainId, fees: fees) }
    }

    @Test("data over the genesis limit is refused; at the limit it passes")
    func oversizedData() throws {
        var fees = FeeParams()
        fees.maxTransactionDataBytes = 10
        let atLimit = try F.transfer(F.alice, nonce: 0, to: F.bobAddress, value: 0, gas: 21_160, data: [UInt8](repeating: 1, count: 10))
        try TransactionRules.checkStateless(atLimit, chainId: F.chainId, fees: fees)
        let over = try F.transfer(F.alice, nonce: 0, to: F.bobAddress, value: 0, gas: 21_176, data: [UInt8](repeating: 1, count: 11))
        Self.refused(over, fees: fees, kind: .oversizedData, "oversized data: transaction data is 11 bytes, the limit is 10")
    }

    @Test("intrinsic gas too low: data and access lists cost gas")
    func intrinsicGas() throws {
        let withData = try F.transfer(F.alice, nonce: 0, to: F.bobAddress, value: 0, gas: 21_019, data: [0, 1])
        Self.refused(withData, kind: .intrinsicGasTooLow, "intrinsic gas too low: gas 21019, minimum needed 21020")
        let tooLow = try F.transfer(F.alice, nonce: 0, to: F.bobAddress, value: 0, gas: 20_999)
        Self.refused(tooLow, kind: .intrinsicGasTooLow, "intrinsic gas too low: gas 20999, minimum needed 21000")
        let accessList = try UnsignedTransaction(chainId: F.chainId, gasLimit: 21_000 + 2_400, to: F.bobAddress,
                                                 accessList: [AccessListEntry(address: F.carolAddress, storageKeys: [Hash32.zero])])
            .signed(with: F.alice)
        Self.refused(accessList, kind: .intrinsicGasTooLow, "intrinsic gas too low: gas 23400, minimum needed 25300")
    }

    @Test("a gas limit over the block gas limit is refused")
    func gasLimitTooHigh() throws {
        var fees = FeeParams()
        fees.blockGasLimit = 30_000
        let tx = try F.transfer(F.alice, nonce: 0, to: F.bobAddress, value: 0, gas: 30_001)
        Self.refused(tx, fees: fees, kind: .gasLimitTooHigh, "exceeds block gas limit: gas 30001, block limit 30000")
    }

    @Test("a tip above the fee cap, and a fee cap below the base fee, are refused with geth's words")
    func feeFields() throws {
        let tip = try F.transfer(F.alice, nonce: 0, to: F.bobAddress, value: 0, tip: 5, feeCap: 4)
        Self.refused(tip, kind: .tipAboveFeeCap,
                     "max priority fee per gas higher than max fee per gas: maxPriorityFeePerGas: 5, maxFeePerGas: 4")
        var fees = FeeParams()
        fees.baseFeePerGas = 1_000_000_000
        let low = try F.transfer(F.alice, nonce: 0, to: F.bobAddress, value: 0, tip: 1, feeCap: 999_999_999)
        Self.refused(low, fees: fees, kind: .feeCapBelowBaseFee,
                     "max fee per gas less than block base fee: maxFeePerGas: 999999999, baseFee: 1000000000")
        let legacy = try UnsignedTransaction(type: .legacy, chainId: F.chainId, gasPrice: 999_999_999, to: F.bobAddress).signed(with: F.alice)
        Self.refused(legacy, fees: fees, kind: .feeCapBelowBaseFee,
                     "max fee per gas less than block base fee: maxFeePerGas: 999999999, baseFee: 1000000000")
    }

    @Test("maxCost is gasLimit * feeCap + value, and overflow beyond 256 bits is refused")
    func maxCost() throws {
        let tx = try F.transfer(F.alice, nonce: 0, to: F.bobAddress, value: 9, tip: 1, feeCap: 3, gas: 25_000)
        #expect(try TransactionRules.maxCost(tx) == 75_009)
        let huge = try F.transfer(F.alice, nonce: 0, to: F.bobAddress, value: 1, tip: 0, feeCap: .max / 21_000 + 1, gas: 21_000)
        #expect(throws: TransactionRejection.self) { try TransactionRules.maxCost(huge) }
        let bigValue = try F.transfer(F.alice, nonce: 0, to: F.bobAddress, value: .max, tip: 0, feeCap: 1)
        do {
            _ = try TransactionRules.maxCost(bigValue)
            Issue.record("expected overflow")
        } catch let r as TransactionRejection {
            #expect(r.kind == .overflow && r.description == "gas * price + value overflows 256 bits")
        }
    }

    @Test("checkFunds: geth's insufficient-funds message, exactly")
    func checkFunds() throws {
        let tx = try F.transfer(F.alice, nonce: 0, to: F.bobAddress, value: 10, tip: 2, feeCap: 2)
        let sender = F.address(F.alice)
        try TransactionRules.checkFunds(tx, sender: sender, balance: 42_010)
        do {
            try TransactionRules.checkFunds(tx, sender: sender, balance: 42_009)
            Issue.record("expected insufficient funds")
        } catch let r as TransactionRejection {
            #expect(r.kind == .insufficientFunds)
            #expect(r.description == "insufficient funds for gas * price + value: address \(sender.checksummed) have 42009 want 42010")
        }
    }
}
