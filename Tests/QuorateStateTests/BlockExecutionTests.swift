import QuorateCore
import QuorateCrypto
import QuorateState
import QuorateTestSupport
import Testing

@Suite("block execution of transfers")
struct BlockExecutionTests {
    typealias F = StateFixture

    /// Applies one transaction to a fresh overlay over `accounts`.
    static func apply(_ tx: Transaction, sender: Address? = nil, accounts: [Address: Account], fees: FeeParams = FeeParams(),
                      proposer: Address = F.proposer, cumulative: UInt64 = 0) throws -> (Receipt, StateOverlay) {
        var state = StateOverlay(base: FixedAccounts(accounts))
        let receipt = try BlockExecutor.apply(tx, sender: sender ?? F.address(F.alice), proposer: proposer, fees: fees,
                                              chainId: F.chainId, cumulativeGasUsed: cumulative, state: &state)
        return (receipt, state)
    }

    static func balances(_ state: inout StateOverlay, _ addresses: [Address]) throws -> UInt256 {
        try addresses.reduce(UInt256.zero) { $0 + (try state.account($1).balance) }
    }

    @Test("a transfer moves the value, charges gas used * price, pays the tip to the proposer and bumps the nonce")
    func transferMovesValueAndFee() throws {
        let alice = F.address(F.alice)
        let tx = try F.transfer(F.alice, nonce: 3, to: F.bobAddress, value: 1_000, tip: 2, feeCap: 2, gas: 30_000)
        let (receipt, state0) = try Self.apply(tx, accounts: [alice: Account(nonce: 3, balance: 10_000_000)])
        var state = state0
        // No EVM: gas used is the intrinsic gas, not the limit.
        let fee = UInt256(21_000 * 2)
        #expect(try state.account(alice) == Account(nonce: 4, balance: 10_000_000 - fee - 1_000))
        #expect(try state.account(F.bobAddress) == Account(balance: 1_000))
        #expect(try state.account(F.proposer) == Account(balance: fee), "base fee 0: the whole fee is tip")
        #expect(receipt == Receipt(transactionHash: tx.hash, type: .dynamicFee, status: 1, from: alice, to: F.bobAddress,
                                   gasUsed: 21_000, cumulativeGasUsed: 21_000, effectiveGasPrice: 2))
        #expect(state.changedAccounts.map(\.address).sorted() == [alice, F.bobAddress, F.proposer].sorted())
    }

    @Test("with a base fee, the tip goes to the proposer and the base-fee part is burned")
    func baseFeeIsBurned() throws {
        let alice = F.address(F.alice)
        var fees = FeeParams()
        fees.baseFeePerGas = 10
        let tx = try F.transfer(F.alice, nonce: 0, to: F.bobAddress, value: 500, tip: 3, feeCap: 15)
        let genesis: [Address: Account] = [alice: Account(balance: 1_000_000), F.bobAddress: Account(balance: 7)]
        let all = [alice, F.bobAddress, F.proposer]
        var before = StateOverlay(base: FixedAccounts(genesis))
        let supplyBefore = try Self.balances(&before, all)
        let (receipt, state0) = try Self.apply(tx, accounts: genesis, fees: fees)
        var state = state0
        // price = min(feeCap 15, baseFee 10 + tip 3) = 13.
        #expect(receipt.effectiveGasPrice == 13)
        #expect(try state.account(alice).balance == 1_000_000 - 21_000 * 13 - 500)
        #expect(try state.account(F.bobAddress).balance == 507)
        #expect(try state.account(F.proposer).balance == UInt256(21_000 * 3))
        #expect(try Self.balances(&state, all) == supplyBefore - UInt256(receipt.gasUsed) * fees.baseFeePerGas)
    }

    @Test("the fee cap bounds the price: cap 12 on base fee 10 leaves a tip of 2, not the asked 5")
    func feeCapBoundsTip() throws {
        var fees = FeeParams()
        fees.baseFeePerGas = 10
        let tx = try F.transfer(F.alice, nonce: 0, to: F.bobAddress, value: 0, tip: 5, feeCap: 12)
        let (receipt, state0) = try Self.apply(tx, accounts: [F.address(F.alice): Account(balance: 1_000_000)], fees: fees)
        var state = state0
        #expect(receipt.effectiveGasPrice == 12)
        #expect(try state.account(F.proposer).balance == UInt256(21_000 * 2))
    }

    @Test("a legacy transaction pays its gas price; everything above the base fee is tip")
    func legacyPricing() throws {
        var fees = FeeParams()
        fees.baseFeePerGas = 10
        let tx = try UnsignedTransaction(type: .legacy, chainId: F.chainId, nonce: 0, gasPrice: 13, to: F.bobAddress, value: 1)
            .signed(with: F.alice)
        let (receipt, state0) = try Self.apply(tx, accounts: [F.address(F.alice): Account(balance: 1_000_000)], fees: fees)
        var state = state0
        #expect(receipt.type == .legacy && receipt.effectiveGasPrice == 13)
        #expect(try state.account(F.address(F.alice)).balance == 1_000_000 - 21_000 * 13 - 1)
        #expect(try state.account(F.proposer).balance == UInt256(21_000 * 3))
    }

    @Test("with no tip the proposer's account is not touched")
    func noTipNoProposerWrite() throws {
        let tx = try F.transfer(F.alice, nonce: 0, to: F.bobAddress, value: 5)
        let (_, state) = try Self.apply(tx, accounts: [F.address(F.alice): Account(balance: 100)])
        #expect(!state.changedAccounts.contains { $0.address == F.proposer })
    }

    @Test("a self-transfer costs only the fee and bumps the nonce once")
    func selfTransfer() throws {
        let alice = F.address(F.alice)
        let tx = try F.transfer(F.alice, nonce: 0, to: alice, value: 400, tip: 1, feeCap: 1)
        let (_, state0) = try Self.apply(tx, accounts: [alice: Account(balance: 100_000)])
        var state = state0
        #expect(try state.account(alice) == Account(nonce: 1, balance: 100_000 - 21_000))
    }

    @Test("a proposer sending a transaction gets its own tip back")
    func proposerPaysItself() throws {
        let alice = F.address(F.alice)
        let tx = try F.transfer(F.alice, nonce: 0, to: F.bobAddress, value: 400, tip: 1, feeCap: 1)
        let (_, state0) = try Self.apply(tx, accounts: [alice: Account(balance: 100_000)], proposer: alice)
        var state = state0
        #expect(try state.account(alice) == Account(nonce: 1, balance: 100_000 - 400))
    }

    @Test("data costs 16 gas per non-zero byte and 4 per zero byte; receipts accumulate gas")
    func dataGasAndCumulative() throws {
        let tx = try F.transfer(F.alice, nonce: 0, to: F.bobAddress, value: 0, tip: 1, feeCap: 1, gas: 21_040, data: [0, 0, 1, 2])
        let (receipt, state0) = try Self.apply(tx, accounts: [F.address(F.alice): Account(balance: 100_000)], cumulative: 50_000)
        var state = state0
        #expect(receipt.gasUsed == 21_040 && receipt.cumulativeGasUsed == 71_040)
        #expect(try state.account(F.address(F.alice)).balance == 100_000 - 21_040)
    }

    @Test("nonce too low and too high are refused with geth's words; the state is unchanged")
    func nonceChecks() throws {
        let alice = F.address(F.alice)
        let accounts = [alice: Account(nonce: 5, balance: 1_000_000)]
        for (nonce, kind, text) in [(UInt64(4), TransactionRejection.Kind.nonceTooLow, "nonce too low: next nonce 5, tx nonce 4"),
                                    (6, .nonceTooHigh, "nonce too high: next nonce 5, tx nonce 6")] {
            let tx = try F.transfer(F.alice, nonce: nonce, to: F.bobAddress, value: 1)
            try Self.expectRejected(tx, accounts: accounts, kind: kind, text: text)
        }
    }

    @Test("an account at the largest nonce cannot send")
    func nonceAtMax() throws {
        let tx = try F.transfer(F.alice, nonce: .max, to: F.bobAddress, value: 1)
        try Self.expectRejected(tx, accounts: [F.address(F.alice): Account(nonce: .max, balance: 1_000_000)], kind: .overflow,
                                text: "nonce has max value")
    }

    @Test("insufficient funds: geth's exact message, gasLimit * feeCap + value against the balance")
    func insufficientFunds() throws {
        let alice = F.address(F.alice)
        let tx = try F.transfer(F.alice, nonce: 0, to: F.bobAddress, value: 1_000, tip: 1, feeCap: 3, gas: 25_000)
        let want = 25_000 * 3 + 1_000
        try Self.expectRejected(tx, accounts: [alice: Account(balance: UInt256(UInt64(want - 1)))], kind: .insufficientFunds,
                                text: "insufficient funds for gas * price + value: address \(alice.checksummed) have \(want - 1) want \(want)",
                                exact: true)
        // Exactly enough is enough, and only the gas used is charged, at the effective price
        // (base fee 0 + tip 1), not the fee cap.
        let (_, state0) = try Self.apply(tx, accounts: [alice: Account(balance: UInt256(UInt64(want)))])
        var state = state0
        #expect(try state.account(alice).balance == UInt256(UInt64(want - 1_000 - 21_000 * 1)))
        // An account that does not exist has nothing.
        try Self.expectRejected(tx, accounts: [:], kind: .insufficientFunds,
                                text: "insufficient funds for gas * price + value: address \(alice.checksummed) have 0 want \(want)", exact: true)
    }

    @Test("stateless refusals also apply at execution: chain id, unprotected, data, gas, fee cap")
    func statelessAtExecution() throws {
        let accounts = [F.address(F.alice): Account(balance: UInt256(UInt64(1) << 60))]
        var fees = FeeParams()
        fees.baseFeePerGas = 10
        let wrongChain = try UnsignedTransaction(chainId: F.chainId + 1, maxPriorityFeePerGas: 10, maxFeePerGas: 10, to: F.bobAddress)
            .signed(with: F.alice)
        try Self.expectRejected(wrongChain, accounts: accounts, fees: fees, kind: .wrongChainId,
                                text: "invalid chain id for signer: have \(F.chainId + 1) want \(F.chainId)")
        let unprotected = try UnsignedTransaction(type: .legacy, chainId: nil, gasPrice: 10, to: F.bobAddress).signed(with: F.alice)
        try Self.expectRejected(unprotected, accounts: accounts, fees: fees, kind: .unprotected, text: "only replay-protected (EIP-155)")
        let lowFee = try F.transfer(F.alice, nonce: 0, to: F.bobAddress, value: 1, tip: 1, feeCap: 9)
        try Self.expectRejected(lowFee, accounts: accounts, fees: fees, kind: .feeCapBelowBaseFee,
                                text: "max fee per gas less than block base fee: maxFeePerGas: 9, baseFee: 10")
    }

    /// Applies and expects a rejection of `kind` whose message contains (or is) `text`, with the
    /// overlay untouched: nothing written, and the same commitment as before.
    static func expectRejected(_ tx: Transaction, accounts: [Address: Account], fees: FeeParams = FeeParams(),
                               kind: TransactionRejection.Kind, text: String, exact: Bool = false,
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        var state = StateOverlay(base: FixedAccounts(accounts))
        do {
            _ = try BlockExecutor.apply(tx, sender: F.address(F.alice), proposer: F.proposer, fees: fees, chainId: F.chainId,
                                        cumulativeGasUsed: 0, state: &state)
            Issue.record("applied, expected \(kind)", sourceLocation: sourceLocation)
        } catch let rejection as TransactionRejection {
            #expect(rejection.kind == kind, sourceLocation: sourceLocation)
            if exact {
                #expect(rejection.description == text, sourceLocation: sourceLocation)
            } else {
                #expect(rejection.description.contains(text), "\(rejection)", sourceLocation: sourceLocation)
            }
        }
        #expect(state.changedAccounts.isEmpty, "a rejected transaction leaves the state unchanged", sourceLocation: sourceLocation)
        for (address, account) in accounts {
            #expect(try state.account(address) == account, sourceLocation: sourceLocation)
        }
    }
}

// MARK: - Shared test support for QuorateStateTests

/// Accounts in a dictionary, as a committed state.
struct FixedAccounts: AccountReader {
    let accounts: [Address: Account]
    init(_ accounts: [Address: Account]) { self.accounts = accounts }
    func account(_ address: Address) throws -> Account? { accounts[address] }
    func stateValue(_ key: Hash32) throws -> [UInt8]? { nil }
}

/// The shared test chain (keys, genesis) and, for these tests, signed transfers.
typealias StateFixture = TestGenesis

extension TestGenesis {
    /// An address no key in these tests owns.
    static let proposer = Address([UInt8](repeating: 0xee, count: 20))

    static func transfer(_ key: Secp256k1.PrivateKey, nonce: UInt64, to: Address, value: UInt256, tip: UInt256 = 0,
                         feeCap: UInt256 = 0, gas: UInt64 = 21_000, data: [UInt8] = [], chainId: UInt64 = chainId) throws -> Transaction {
        try UnsignedTransaction(type: .dynamicFee, chainId: chainId, nonce: nonce, maxPriorityFeePerGas: tip, maxFeePerGas: feeCap,
                                gasLimit: gas, to: to, value: value, data: data).signed(with: key)
    }

    static func candidate(_ tx: Transaction) throws -> BlockBuilder.Candidate {
        BlockBuilder.Candidate(transaction: tx, sender: try tx.recoverSender())
    }

    static func certificate(for header: BlockHeader, signers: [Secp256k1.PrivateKey]? = nil, round: UInt32 = 0) throws -> CommitCertificate {
        CommitCertificate(precommits: try (signers ?? Array(validatorKeys.prefix(3))).map {
            try Vote.sign(chainId: header.chainId, type: .precommit, height: header.height, round: round, blockHash: header.hash, key: $0)
        })
    }
}

/// One node's view of the chain, in memory: its own node store and head. Two of them built from
/// the same genesis share nothing but the bytes they exchange.
struct TestNode {
    let genesis: Genesis
    var store = MemoryNodeStore()
    var head: BlockHeader
    var lastCommit: CommitCertificate?
    /// The sets of the head's height and the next one, following validator votes.
    var validators: ValidatorSet
    var nextValidators: ValidatorSet

    init(_ genesis: Genesis) throws {
        self.genesis = genesis
        let block0 = try GenesisState.build(genesis, nodes: store)
        store.insert(block0.stateUpdate)
        head = block0.block.header
        validators = genesis.validators
        nextValidators = genesis.validators
    }

    var rules: ChainRules { ChainRules(genesis: genesis) }

    var parent: ParentState {
        ParentState(header: head, validators: validators, nextValidators: nextValidators,
                    accounts: CommittedAccounts(root: head.stateRoot, nodes: store), nodes: store)
    }

    func account(_ address: Address) throws -> Account {
        try CommittedAccounts(root: head.stateRoot, nodes: store).account(address) ?? .empty
    }

    func build(_ txs: [Transaction], proposer: Address? = nil, timestampMs: UInt64? = nil) throws -> BlockBuilder.Output {
        try BlockBuilder.build(parent: parent, candidates: try txs.map(StateFixture.candidate),
                               proposer: proposer ?? nextValidators.proposer(height: head.height + 1, round: 0),
                               timestampMs: timestampMs ?? head.timestampMs + 1_000, lastCommit: lastCommit, rules: rules)
    }

    func validate(_ block: Block) throws -> ExecutedBlock {
        try BlockValidator.validate(block, parent: parent, rules: rules, sender: { try $0.recoverSender() })
    }

    /// Commits as the store would, and keeps a certificate for the next block (by default from 3
    /// of the 4 genesis validators).
    mutating func commit(_ executed: ExecutedBlock, signers: [Secp256k1.PrivateKey]? = nil) throws {
        store.insert(executed.stateUpdate)
        head = executed.block.header
        lastCommit = try StateFixture.certificate(for: head, signers: signers)
        validators = nextValidators
        nextValidators = executed.nextValidators ?? nextValidators
    }
}
