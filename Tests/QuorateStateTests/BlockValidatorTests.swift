import QuorateCore
import QuorateCrypto
import QuorateState
import QuorateTestSupport
import Testing

@Suite("block validator")
struct BlockValidatorTests {
    typealias F = StateFixture

    /// Two independent nodes from one genesis (base fee 1, so tips and burns show in the state),
    /// both at block 1, and block 2 built by the first.
    static func scenario() throws -> (a: TestNode, b: TestNode, block2: Block) {
        var a = try TestNode(F.genesis(baseFee: 1))
        var b = try TestNode(F.genesis(baseFee: 1))
        let out1 = try a.build([try F.transfer(F.alice, nonce: 0, to: F.carolAddress, value: 100, tip: 2, feeCap: 5)])
        try a.commit(out1.executed)
        try b.commit(try b.validate(out1.executed.block))
        let out2 = try a.build([try F.transfer(F.alice, nonce: 1, to: F.carolAddress, value: 5, tip: 2, feeCap: 5),
                                try F.transfer(F.bob, nonce: 0, to: F.address(F.alice), value: 7, tip: 1, feeCap: 5)])
        return (a, b, out2.executed.block)
    }

    /// Validates `block` changed by `mutate` on node b and expects a refusal naming the problem.
    static func expectInvalid(_ text: String, sourceLocation: SourceLocation = #_sourceLocation,
                              _ mutate: (inout Block) throws -> Void) throws {
        let (_, b, block) = try scenario()
        var tampered = block
        try mutate(&tampered)
        do {
            _ = try b.validate(tampered)
            Issue.record("tampered block validated; expected \"\(text)\"", sourceLocation: sourceLocation)
        } catch let error as BlockValidationError {
            #expect(error.description.hasPrefix("block \(tampered.height) (\(tampered.hash)) is invalid: "), sourceLocation: sourceLocation)
            #expect(error.description.contains(text), "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test("a built block validates on a second, independent node to the same state root and receipts")
    func independentNodeAgrees() throws {
        var a = try TestNode(F.genesis(baseFee: 1))
        var b = try TestNode(F.genesis(baseFee: 1))
        #expect(a.head == b.head)
        for height in 1...3 {
            let txs = [try F.transfer(F.alice, nonce: UInt64(height - 1), to: F.carolAddress, value: UInt256(UInt64(height)), tip: 2, feeCap: 5),
                       try F.transfer(F.bob, nonce: UInt64(height - 1), to: F.address(F.alice), value: 9, tip: 0, feeCap: 1)]
            let built = try a.build(txs).executed
            let checked = try b.validate(built.block)
            #expect(checked.stateUpdate.newRoot == built.block.header.stateRoot)
            #expect(checked.receipts == built.receipts && checked.senders == built.senders)
            #expect(checked.changedAccounts.map(\.0) == built.changedAccounts.map(\.0))
            #expect(checked.changedAccounts.map(\.1) == built.changedAccounts.map(\.1))
            #expect(checked.stateUpdate.newNodes.map(\.hash) == built.stateUpdate.newNodes.map(\.hash))
            try a.commit(built)
            try b.commit(checked)
            if height >= 2 { #expect(built.block.lastCommit != nil) }
        }
        #expect(a.head == b.head)
        for who in [F.address(F.alice), F.bobAddress, F.carolAddress, a.head.proposer] {
            #expect(try a.account(who) == b.account(who))
        }
        #expect(try b.account(F.carolAddress).balance == 6)
        #expect(try b.account(F.bobAddress).nonce == 3)
    }

    @Test("the untampered scenario block validates")
    func scenarioValidates() throws {
        let (_, b, block) = try Self.scenario()
        #expect(try b.validate(block).stateUpdate.newRoot == block.header.stateRoot)
    }

    @Test("a tampered root is refused: transactions, receipts, state")
    func tamperedRoots() throws {
        try Self.expectInvalid("transactions root does not match") { $0.header.transactionsRoot = Hash32.keccak([1]) }
        try Self.expectInvalid("receipts root does not match") { $0.header.receiptsRoot = Hash32.keccak([2]) }
        try Self.expectInvalid("state root") { $0.header.stateRoot = Hash32.keccak([3]) }
    }

    @Test("tampered validator hashes are refused")
    func tamperedValidatorHashes() throws {
        try Self.expectInvalid("validators hash does not match") { $0.header.validatorsHash = Hash32.keccak([4]) }
        try Self.expectInvalid("next validators hash does not match") { $0.header.nextValidatorsHash = Hash32.keccak([5]) }
    }

    @Test("a tampered gas used is refused with both numbers")
    func tamperedGasUsed() throws {
        try Self.expectInvalid("gas used 42001, executed 42000") { $0.header.gasUsed = 42_001 }
        try Self.expectInvalid("gas used 0, executed 42000") { $0.header.gasUsed = 0 }
    }

    @Test("a proposer outside the set is refused; another validator as proposer changes who gets the tips")
    func tamperedProposer() throws {
        try Self.expectInvalid("proposer \(F.proposer) is not a validator") { $0.header.proposer = F.proposer }
        try Self.expectInvalid("state root") { block in
            block.header.proposer = F.validators.validators.map(\.address).first { $0 != block.header.proposer }!
        }
    }

    @Test("a block that does not follow its parent is refused: parent hash, height, chain id, time")
    func tamperedLinks() throws {
        try Self.expectInvalid("parent hash does not match block 1") { $0.header.parentHash = Hash32.keccak([6]) }
        try Self.expectInvalid("height does not follow 1") { $0.header.height = 3 }
        try Self.expectInvalid("chain id 1338, expected 1337") { $0.header.chainId = 1338 }
        try Self.expectInvalid("timestamp is before its parent's") { $0.header.timestampMs -= 1_001 }
    }

    @Test("a timestamp equal to the parent's is accepted (a minimum interval of 0)")
    func sameTimestamp() throws {
        let (a, b, _) = try Self.scenario()
        let block = try a.build([], timestampMs: a.head.timestampMs).executed.block
        _ = try b.validate(block)
    }

    @Test("a gas limit or base fee other than the chain's is refused")
    func tamperedFees() throws {
        try Self.expectInvalid("gas limit or base fee differs from the chain's rules") { $0.header.gasLimit += 1 }
        try Self.expectInvalid("gas limit or base fee differs from the chain's rules") { $0.header.baseFeePerGas = 0 }
    }

    @Test("a changed transaction list is refused: dropped, reordered, replaced or added")
    func tamperedTransactions() throws {
        try Self.expectInvalid("transactions root does not match") { $0.transactions.removeLast() }
        try Self.expectInvalid("transactions root does not match") { $0.transactions.reverse() }
        // With the root fixed up, execution finds the difference.
        try Self.expectInvalid("gas used 42000, executed 21000") {
            $0.transactions.removeLast()
            $0.header.transactionsRoot = Block.transactionsRoot($0.transactions)
        }
        try Self.expectInvalid("receipts root does not match") {
            $0.transactions[1] = try F.transfer(F.bob, nonce: 0, to: F.address(F.alice), value: 8, tip: 1, feeCap: 5)
            $0.header.transactionsRoot = Block.transactionsRoot($0.transactions)
        }
        try Self.expectInvalid("gas used 42000, executed 63000") {
            $0.transactions.append(try F.transfer(F.bob, nonce: 1, to: F.carolAddress, value: 1, tip: 0, feeCap: 1))
            $0.header.transactionsRoot = Block.transactionsRoot($0.transactions)
        }
    }

    @Test("a transaction that cannot execute makes the whole block invalid, naming it")
    func unexecutableTransaction() throws {
        var bad: Transaction?
        try Self.expectInvalid("cannot execute: nonce too high") {
            let tx = try F.transfer(F.carol, nonce: 3, to: F.bobAddress, value: 0, tip: 0, feeCap: 1)
            bad = tx
            $0.transactions.insert(tx, at: 0)
            $0.header.transactionsRoot = Block.transactionsRoot($0.transactions)
        }
        try Self.expectInvalid("transaction 0 (\(bad!.hash)) cannot execute") {
            $0.transactions.insert(bad!, at: 0)
            $0.header.transactionsRoot = Block.transactionsRoot($0.transactions)
        }
        try Self.expectInvalid("transaction 1 (") {
            $0.transactions.insert(try F.transfer(F.alice, nonce: 1, to: F.carolAddress, value: 1, tip: 2, feeCap: 5), at: 1)
            $0.header.transactionsRoot = Block.transactionsRoot($0.transactions)
        }
    }

    @Test("a transaction whose sender cannot be recovered makes the block invalid")
    func invalidSignature() throws {
        let (_, b, block) = try Self.scenario()
        let target = block.transactions[1].hash
        do {
            _ = try BlockValidator.validate(block, parent: b.parent, rules: b.rules) { tx in
                if tx.hash == target { throw TransactionError(description: "no sender can be recovered") }
                return try tx.recoverSender()
            }
            Issue.record("validated")
        } catch let error as BlockValidationError {
            #expect(error.description.contains("transaction 1 has an invalid signature: no sender can be recovered"), "\(error)")
        }
    }

    @Test("the last commit: missing at height 2, present at height 1")
    func lastCommitPresence() throws {
        try Self.expectInvalid("missing the parent's commit certificate") { $0.lastCommit = nil }
        try Self.expectInvalid("missing the parent's commit certificate") {
            $0.lastCommit = nil
            $0.header.lastCommitHash = .zero
        }
        // Height 1: no certificate, and a zero hash.
        let node = try TestNode(F.genesis())
        var block1 = try node.build([]).executed.block
        let someCert = try F.certificate(for: node.head)
        block1.lastCommit = someCert
        block1.header.lastCommitHash = someCert.hash
        expectError(containing: "the first block carries no commit certificate") { _ = try node.validate(block1) }
        var block1b = try node.build([]).executed.block
        block1b.header.lastCommitHash = Hash32.keccak([9])
        expectError(containing: "missing the parent's commit certificate") { _ = try node.validate(block1b) }
    }

    @Test("the last commit must certify the parent, with a quorum, and match its hash in the header")
    func lastCommitContent() throws {
        try Self.expectInvalid("last commit hash does not match its certificate") { block in
            block.lastCommit = try F.certificate(for: try Self.scenario().a.head, round: 1)
        }
        try Self.expectInvalid("last commit certifies another block") { block in
            var other = try Self.scenario().a.head
            other.timestampMs += 1
            let cert = try F.certificate(for: other)
            block.lastCommit = cert
            block.header.lastCommitHash = cert.hash
        }
        try Self.expectInvalid("last commit: certificate holds voting power 2, below the quorum of 3") { block in
            let cert = try F.certificate(for: try Self.scenario().a.head, signers: Array(F.validatorKeys.prefix(2)))
            block.lastCommit = cert
            block.header.lastCommitHash = cert.hash
        }
        try Self.expectInvalid("is not a validator") { block in
            let cert = try F.certificate(for: try Self.scenario().a.head, signers: Array(F.validatorKeys.prefix(2)) + [F.alice])
            block.lastCommit = cert
            block.header.lastCommitHash = cert.hash
        }
        // A certificate of a later round, with all four signatures, is as good as any.
        let (a, b, block) = try Self.scenario()
        var good = block
        let cert = try F.certificate(for: a.head, signers: F.validatorKeys, round: 3)
        good.lastCommit = cert
        good.header.lastCommitHash = cert.hash
        _ = try b.validate(good)
    }

    @Test("more transactions or bytes than the chain allows are refused")
    func blockLimits() throws {
        let (_, b, block) = try Self.scenario()
        var consensus = b.genesis.consensus
        consensus.maxBlockTransactions = 1
        let fewer = ChainRules(chainId: F.chainId, consensus: consensus, fees: b.genesis.fees)
        expectError(containing: "2 transactions exceed the limit of 1") {
            _ = try BlockValidator.validate(block, parent: b.parent, rules: fewer) { try $0.recoverSender() }
        }
        var small = b.genesis.consensus
        small.maxBlockBytes = UInt64(block.transactions[0].raw.count)
        let smaller = ChainRules(chainId: F.chainId, consensus: small, fees: b.genesis.fees)
        expectError(containing: "transactions exceed \(small.maxBlockBytes) bytes") {
            _ = try BlockValidator.validate(block, parent: b.parent, rules: smaller) { try $0.recoverSender() }
        }
    }
}
