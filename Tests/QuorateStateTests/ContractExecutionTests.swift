import QuorateCore
import QuorateCrypto
import QuorateEVM
import QuorateState
import QuorateTestSupport
import Testing

/// A node in memory that also keeps contract code (by hash), as the store does.
struct ContractNode {
    var node: TestNode
    var codes = MemoryCodeStore()

    init(_ genesis: Genesis) throws { node = try TestNode(genesis) }

    var parent: ParentState {
        ParentState(header: node.head, validators: node.validators, nextValidators: node.nextValidators,
                    accounts: CommittedAccounts(root: node.head.stateRoot, nodes: node.store, codes: codes), nodes: node.store)
    }

    func build(_ txs: [Transaction]) throws -> BlockBuilder.Output {
        try BlockBuilder.build(parent: parent, candidates: try txs.map(StateFixture.candidate),
                               proposer: node.nextValidators.proposer(height: node.head.height + 1, round: 0),
                               timestampMs: node.head.timestampMs + 1_000, lastCommit: node.lastCommit, rules: node.rules)
    }

    func validate(_ block: Block) throws -> ExecutedBlock {
        try BlockValidator.validate(block, parent: parent, rules: node.rules, sender: { try $0.recoverSender() })
    }

    mutating func commit(_ executed: ExecutedBlock) throws {
        codes.insert(executed.newCode)
        try node.commit(executed)
    }

    /// Builds a block of `txs`, checks a second execution agrees, commits; returns the receipts.
    @discardableResult
    mutating func run(_ txs: [Transaction]) throws -> [Receipt] {
        let built = try build(txs).executed
        #expect(try validate(built.block).stateUpdate.newRoot == built.block.header.stateRoot)
        try commit(built)
        return built.receipts
    }

    func storage(_ address: Address, _ slot: UInt256) throws -> UInt256 {
        var overlay = StateOverlay(base: parent.accounts)
        return try overlay.storage(address, slot)
    }
}

/// Hand-assembled contracts for the chain-level tests (the EVM itself has its own suite).
enum Contracts {
    /// Runtime: x = calldata word 0; x == 0 reverts; otherwise slot 0 = x and LOG1(topic 0x2a).
    static let storeRuntime: [UInt8] = [0x60, 0x00, 0x35, 0x80, 0x60, 0x0c, 0x57, 0x60, 0x00, 0x60, 0x00, 0xfd,
                                        0x5b, 0x60, 0x00, 0x55, 0x60, 0x2a, 0x60, 0x00, 0x60, 0x00, 0xa1, 0x00]
    /// Runtime: an endless loop (JUMPDEST; PUSH1 0; JUMP).
    static let loopRuntime: [UInt8] = [0x5b, 0x60, 0x00, 0x56]

    /// Initcode returning `runtime` (CODECOPY then RETURN; 12 bytes before the runtime).
    static func initcode(_ runtime: [UInt8]) -> [UInt8] {
        let n = UInt8(runtime.count)
        return [0x60, n, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, n, 0x60, 0x00, 0xf3] + runtime
    }

    static func word(_ v: UInt64) -> [UInt8] { UInt256(v).bigEndianBytes }

    static func create(_ key: Secp256k1.PrivateKey, nonce: UInt64, code: [UInt8], gas: UInt64 = 200_000) throws -> Transaction {
        try UnsignedTransaction(type: .dynamicFee, chainId: StateFixture.chainId, nonce: nonce, gasLimit: gas, to: nil,
                                data: initcode(code)).signed(with: key)
    }

    static func call(_ key: Secp256k1.PrivateKey, nonce: UInt64, to: Address, data: [UInt8], gas: UInt64 = 100_000,
                     price: UInt256 = 0) throws -> Transaction {
        try UnsignedTransaction(type: .dynamicFee, chainId: StateFixture.chainId, nonce: nonce, maxPriorityFeePerGas: price,
                                maxFeePerGas: price, gasLimit: gas, to: to, data: data).signed(with: key)
    }
}

@Suite("contracts on the chain: execution, receipts, state")
struct ContractExecutionTests {
    typealias F = StateFixture
    typealias C = Contracts

    @Test("a creation stores the code by hash and reports contractAddress; a call writes storage and logs with a bloom")
    func deployAndCall() throws {
        var n = try ContractNode(F.genesis())
        let alice = F.address(F.alice)
        let created = try n.run([try C.create(F.alice, nonce: 0, code: C.storeRuntime)])[0]
        let contract = ContractAddress.create(sender: alice, nonce: 0)
        #expect(created.status == 1 && created.contractAddress == contract && created.to == nil)
        let account = try n.node.account(contract)
        #expect(account.nonce == 1 && account.codeHash == Hash32.keccak(C.storeRuntime))
        #expect(try n.codes.contractCode(account.codeHash) == C.storeRuntime)

        let receipts = try n.run([try C.call(F.alice, nonce: 1, to: contract, data: C.word(7))])
        let r = receipts[0]
        #expect(r.status == 1 && r.gasUsed > 21_000 + 20_000)
        #expect(r.logs == [Log(address: contract, topics: [Hash32(C.word(0x2a))], data: [])])
        #expect(r.bloom.mayContain(contract.bytes) && r.bloom.mayContain(C.word(0x2a)))
        #expect(n.node.head.logsBloom == Receipt.bloom(receipts) && !n.node.head.logsBloom.isEmpty)
        #expect(try n.storage(contract, 0) == 7)
        #expect(try n.node.account(contract).storageRoot != SparseMerkleTree.emptyRoot)
    }

    @Test("a reverted call is included with status 0, charged, and leaves storage and logs unchanged")
    func revertIsIncluded() throws {
        var n = try ContractNode(F.genesis(baseFee: 1))
        let alice = F.address(F.alice)
        try n.run([try C.create(F.alice, nonce: 0, code: C.storeRuntime, gas: 200_000).withPrice(1)])
        let contract = ContractAddress.create(sender: alice, nonce: 0)
        try n.run([try C.call(F.alice, nonce: 1, to: contract, data: C.word(5), price: 1)])
        let before = try n.node.account(alice).balance
        let r = try n.run([try C.call(F.alice, nonce: 2, to: contract, data: C.word(0), price: 1)])[0]
        #expect(r.status == 0 && r.logs.isEmpty && r.gasUsed > 21_000 && r.gasUsed < 100_000)
        #expect(try n.node.account(alice).balance == before - UInt256(r.gasUsed))
        #expect(try n.node.account(alice).nonce == 3)
        #expect(try n.storage(contract, 0) == 5)
    }

    @Test("a call that runs out of gas is included with status 0 and all its gas charged")
    func outOfGasIsCharged() throws {
        var n = try ContractNode(F.genesis())
        try n.run([try C.create(F.alice, nonce: 0, code: C.loopRuntime)])
        let contract = ContractAddress.create(sender: F.address(F.alice), nonce: 0)
        let r = try n.run([try C.call(F.alice, nonce: 1, to: contract, data: [], gas: 50_000)])[0]
        #expect(r.status == 0 && r.gasUsed == 50_000 && r.cumulativeGasUsed == 50_000)
    }

    @Test("setting every slot back to zero empties the storage tree: the account returns to its code-only encoding")
    func storageDeletion() throws {
        var n = try ContractNode(F.genesis())
        try n.run([try C.create(F.alice, nonce: 0, code: C.storeRuntime)])
        let contract = ContractAddress.create(sender: F.address(F.alice), nonce: 0)
        let rootBefore = try n.node.account(contract).storageRoot
        try n.run([try C.call(F.alice, nonce: 1, to: contract, data: C.word(9))])
        #expect(try n.node.account(contract).storageRoot != rootBefore)
        var overlay = StateOverlay(base: n.parent.accounts)
        overlay.setStorage(contract, 0, 0)
        _ = try overlay.commitment(root: n.node.head.stateRoot, reader: n.node.store)
        #expect(try overlay.account(contract).storageRoot == SparseMerkleTree.emptyRoot)
    }

    @Test("a plain transfer takes the fast path: intrinsic gas only, no code, no logs")
    func plainTransferStaysPlain() throws {
        var n = try ContractNode(F.genesis())
        let r = try n.run([try F.transfer(F.alice, nonce: 0, to: F.carolAddress, value: 5, gas: 30_000)])[0]
        #expect(r.gasUsed == 21_000 && r.logs.isEmpty && r.contractAddress == nil)
        #expect(try n.node.account(F.carolAddress) == Account(balance: 5))
        #expect(Account(balance: 5).encoded() == RLP.encode(.list([RLPItem(UInt64(0)), RLPItem(UInt256(5)), RLPItem(UInt64(0))])))
    }

    @Test("the builder leaves out a transaction whose gas does not fit the block; the validator refuses a block over the limit")
    func blockGasLimit() throws {
        var n = try ContractNode(F.genesis(blockGasLimit: 150_000))
        try n.run([try C.create(F.alice, nonce: 0, code: C.loopRuntime, gas: 100_000)])
        let contract = ContractAddress.create(sender: F.address(F.alice), nonce: 0)
        let txs = [try C.call(F.alice, nonce: 1, to: contract, data: [], gas: 100_000),
                   try C.call(F.bob, nonce: 0, to: contract, data: [], gas: 100_000)]
        let built = try n.build(txs)
        #expect(built.executed.block.transactions.count == 1 && built.rejected.isEmpty)
        #expect(built.executed.block.header.gasUsed == 100_000)
        // The same two transactions forced into one block: the second no longer fits.
        let other = try ContractNode(F.genesis(blockGasLimit: 150_000))
        var forced = built.executed.block
        forced.transactions = txs
        forced.header.transactionsRoot = Block.transactionsRoot(txs)
        _ = other
        expectError(containing: "gas limit reached") { _ = try n.validate(forced) }
    }
}

extension Transaction {
    /// The same creation, re-signed with a fee cap and tip of `price`.
    func withPrice(_ price: UInt256) throws -> Transaction {
        try UnsignedTransaction(type: .dynamicFee, chainId: StateFixture.chainId, nonce: nonce, maxPriorityFeePerGas: price,
                                maxFeePerGas: price, gasLimit: gasLimit, to: to, data: data).signed(with: StateFixture.alice)
    }
}

@Suite("contract blocks: a validator refuses a block whose execution results differ")
struct ContractValidationTests {
    typealias F = StateFixture
    typealias C = Contracts

    /// Two nodes with a contract deployed, and a block with a logging call built by the first.
    static func scenario() throws -> (b: ContractNode, block: Block) {
        var a = try ContractNode(F.genesis())
        var b = try ContractNode(F.genesis())
        let deploy = try a.build([try C.create(F.alice, nonce: 0, code: C.storeRuntime)]).executed
        try a.commit(deploy)
        try b.commit(try b.validate(deploy.block))
        let contract = ContractAddress.create(sender: F.address(F.alice), nonce: 0)
        let block = try a.build([try C.call(F.alice, nonce: 1, to: contract, data: C.word(3))]).executed.block
        return (b, block)
    }

    static func expectRefused(_ text: String, sourceLocation: SourceLocation = #_sourceLocation, _ mutate: (inout BlockHeader) -> Void) throws {
        let (b, block) = try scenario()
        #expect(throws: Never.self, sourceLocation: sourceLocation) { _ = try b.validate(block) }
        var tampered = block
        mutate(&tampered.header)
        do {
            _ = try b.validate(tampered)
            Issue.record("tampered block validated; expected \"\(text)\"", sourceLocation: sourceLocation)
        } catch let error as BlockValidationError {
            #expect(error.description.contains(text), "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test("a different post-state root is refused")
    func stateRoot() throws {
        try Self.expectRefused("state root") { $0.stateRoot = Hash32.keccak([1]) }
    }

    @Test("a different receipts root is refused")
    func receiptsRoot() throws {
        try Self.expectRefused("receipts root does not match") { $0.receiptsRoot = Hash32.keccak([2]) }
    }

    @Test("a different logs bloom is refused")
    func logsBloom() throws {
        try Self.expectRefused("logs bloom does not match") { $0.logsBloom = LogsBloom() }
    }

    @Test("a different gas used is refused")
    func gasUsed() throws {
        try Self.expectRefused("gas used") { $0.gasUsed += 1 }
    }
}

@Suite("logs bloom")
struct LogsBloomTests {
    @Test("each address and topic sets at most three bits, found again by mayContain; the empty bloom holds nothing")
    func bitsPerItem() {
        let address = Address([UInt8](repeating: 0x42, count: 20))
        let topic = Hash32.keccak([9])
        let bloom = LogsBloom(logs: [Log(address: address, topics: [topic], data: [1, 2])])
        let set = bloom.bytes.reduce(0) { $0 + $1.nonzeroBitCount }
        #expect((1...6).contains(set))
        #expect(bloom.mayContain(address.bytes) && bloom.mayContain(topic.bytes))
        #expect(!LogsBloom.empty.mayContain(address.bytes) && LogsBloom.empty.isEmpty)
    }

    @Test("the bit positions follow Ethereum's rule: low 11 bits of the first three byte pairs of keccak256")
    func ethereumRule() {
        var bloom = LogsBloom()
        let value: [UInt8] = [0xde, 0xad]
        bloom.add(bytes: value)
        let h = Keccak256.hash(value)
        var expected = [UInt8](repeating: 0, count: 256)
        for i in 0..<3 {
            let bit = (Int(h[2 * i]) << 8 | Int(h[2 * i + 1])) & 2047
            expected[255 - bit / 8] |= UInt8(1) << UInt8(bit % 8)
        }
        #expect(bloom.bytes == expected)
    }

    @Test("a receipt with logs round-trips through its encoding with contract address and logs")
    func receiptRoundTrip() throws {
        let r = Receipt(transactionHash: Hash32.keccak([1]), type: .dynamicFee, status: 0, from: Address([UInt8](repeating: 1, count: 20)),
                        to: nil, gasUsed: 50_000, cumulativeGasUsed: 90_000, effectiveGasPrice: 3,
                        contractAddress: Address([UInt8](repeating: 2, count: 20)),
                        logs: [Log(address: Address([UInt8](repeating: 3, count: 20)), topics: [Hash32.keccak([4])], data: [5])])
        #expect(try Receipt(rlp: try RLP.decode(r.encoded())) == r)
    }
}

@Suite("contract creation and the deploy role")
struct DeployRoleTests {
    typealias F = StateFixture

    @Test("with account permissioning on, a creation needs deploy; transact alone is refused")
    func deployRole() throws {
        let tx = try Contracts.create(F.alice, nonce: 0, code: Contracts.storeRuntime)
        expectError(containing: "lacks the deploy role") {
            _ = try TransactionRules.systemCommand(tx, sender: F.address(F.alice), roles: .transact, accountPermissioning: true)
        }
        #expect(try TransactionRules.systemCommand(tx, sender: F.address(F.alice), roles: .deploy, accountPermissioning: true) == nil)
        #expect(try TransactionRules.systemCommand(tx, sender: F.address(F.alice), roles: [], accountPermissioning: false) == nil)
        let call = try Contracts.call(F.alice, nonce: 0, to: F.carolAddress, data: [1])
        expectError(containing: "lacks the transact role") {
            _ = try TransactionRules.systemCommand(call, sender: F.address(F.alice), roles: .deploy, accountPermissioning: true)
        }
    }
}
