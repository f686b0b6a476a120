import QuorateCore
import QuorateCrypto
import QuorateState
import QuorateTestSupport
import Testing

@Suite("block builder")
struct BlockBuilderTests {
    typealias F = StateFixture

    @Test("the header follows the parent and commits to what was executed")
    func headerContents() throws {
        let node = try TestNode(F.genesis(baseFee: 2))
        let txs = [try F.transfer(F.alice, nonce: 0, to: F.carolAddress, value: 10, tip: 1, feeCap: 3),
                   try F.transfer(F.bob, nonce: 0, to: F.carolAddress, value: 20, tip: 1, feeCap: 3, gas: 21_016, data: [7])]
        let out = try node.build(txs, proposer: F.address(F.validatorKeys[2]), timestampMs: 5_000)
        let block = out.executed.block
        let h = block.header
        #expect(out.rejected.isEmpty)
        #expect(block.transactions == txs && out.executed.senders == [F.address(F.alice), F.bobAddress])
        #expect(h.chainId == F.chainId && h.height == 1 && h.timestampMs == 5_000)
        #expect(h.parentHash == node.head.hash && h.proposer == F.address(F.validatorKeys[2]))
        #expect(h.transactionsRoot == Block.transactionsRoot(txs))
        #expect(h.receiptsRoot == Receipt.root(out.executed.receipts))
        #expect(h.stateRoot == out.executed.stateUpdate.newRoot)
        #expect(h.validatorsHash == F.validators.hash && h.nextValidatorsHash == F.validators.hash)
        #expect(h.lastCommitHash == .zero && block.lastCommit == nil)
        #expect(h.gasLimit == node.genesis.fees.blockGasLimit && h.baseFeePerGas == 2)
        #expect(h.gasUsed == 21_000 + 21_016)
        #expect(out.executed.receipts.map(\.cumulativeGasUsed) == [21_000, 42_016])
        #expect(out.executed.changedAccounts.map(\.0) == [F.address(F.alice), F.bobAddress, F.carolAddress,
                                                          F.address(F.validatorKeys[2])].sorted())
    }

    @Test("an empty block keeps the parent's state root")
    func emptyBlock() throws {
        let node = try TestNode(F.genesis())
        let out = try node.build([])
        #expect(out.executed.block.transactions.isEmpty)
        #expect(out.executed.block.header.stateRoot == node.head.stateRoot)
        #expect(out.executed.block.header.transactionsRoot == .zero && out.executed.block.header.gasUsed == 0)
        #expect(out.executed.stateUpdate.newNodes.isEmpty)
    }

    @Test("transactions that cannot apply are skipped and reported as rejected, with the reason")
    func skipsAndRejects() throws {
        let node = try TestNode(F.genesis(baseFee: 1))
        let ok0 = try F.transfer(F.alice, nonce: 0, to: F.carolAddress, value: 1, tip: 0, feeCap: 1)
        let replay = try F.transfer(F.alice, nonce: 0, to: F.carolAddress, value: 2, tip: 0, feeCap: 1)
        let broke = try F.transfer(F.bob, nonce: 0, to: F.carolAddress, value: F.initialBalance, tip: 0, feeCap: 1)
        let unfunded = try F.transfer(F.carol, nonce: 0, to: F.bobAddress, value: 0, tip: 0, feeCap: 1)
        let otherChain = try F.transfer(F.bob, nonce: 0, to: F.carolAddress, value: 1, tip: 0, feeCap: 1, chainId: 1)
        let lowFee = try F.transfer(F.bob, nonce: 0, to: F.carolAddress, value: 1, tip: 0, feeCap: 0)
        let ok1 = try F.transfer(F.alice, nonce: 1, to: F.carolAddress, value: 3, tip: 0, feeCap: 1)
        let out = try node.build([ok0, replay, broke, unfunded, otherChain, lowFee, ok1])
        #expect(out.executed.block.transactions == [ok0, ok1])
        let rejected = Dictionary(uniqueKeysWithValues: out.rejected.map { ($0.0, $0.1.kind) })
        #expect(rejected == [replay.hash: .nonceTooLow, broke.hash: .insufficientFunds, unfunded.hash: .insufficientFunds,
                             otherChain.hash: .wrongChainId, lowFee.hash: .feeCapBelowBaseFee])
        #expect(out.rejected.map(\.0) == [replay, broke, unfunded, otherChain, lowFee].map(\.hash), "in candidate order")
        #expect(try node.validate(out.executed.block).stateUpdate.newRoot == out.executed.block.header.stateRoot)
    }

    @Test("a nonce gap is held back, not rejected: the missing transaction may still come")
    func nonceGapHeldBack() throws {
        let node = try TestNode(F.genesis())
        let n0 = try F.transfer(F.alice, nonce: 0, to: F.carolAddress, value: 1)
        let n1 = try F.transfer(F.alice, nonce: 1, to: F.carolAddress, value: 1)
        let n2 = try F.transfer(F.alice, nonce: 2, to: F.carolAddress, value: 1)
        let n5 = try F.transfer(F.alice, nonce: 5, to: F.carolAddress, value: 1)
        let out = try node.build([n0, n2, n1, n5])
        #expect(out.executed.block.transactions == [n0, n1], "n2 came before n1 and is not retried; n5 is a gap")
        #expect(out.rejected.isEmpty)
    }

    @Test("maxBlockTransactions caps the block; the rest stay pooled (not rejected)")
    func maxTransactions() throws {
        var consensus = ConsensusParams()
        consensus.maxBlockTransactions = 2
        let node = try TestNode(F.genesis(consensus: consensus))
        let txs = try (0..<3).map { try F.transfer(F.alice, nonce: UInt64($0), to: F.carolAddress, value: 1) }
        let out = try node.build(txs)
        #expect(out.executed.block.transactions == Array(txs.prefix(2)))
        #expect(out.rejected.isEmpty)
    }

    @Test("maxBlockBytes caps the raw bytes; a smaller later transaction may still fit")
    func maxBytes() throws {
        let small = try F.transfer(F.alice, nonce: 0, to: F.carolAddress, value: 1)
        let big = try F.transfer(F.bob, nonce: 0, to: F.carolAddress, value: 1, gas: 21_000 + 16 * 200, data: [UInt8](repeating: 9, count: 200))
        let small2 = try F.transfer(F.alice, nonce: 1, to: F.carolAddress, value: 2)
        var consensus = ConsensusParams()
        consensus.maxBlockBytes = UInt64(small.raw.count + small2.raw.count + 10)
        #expect(UInt64(small.raw.count + big.raw.count) > consensus.maxBlockBytes)
        let node = try TestNode(F.genesis(consensus: consensus))
        let out = try node.build([small, big, small2])
        #expect(out.executed.block.transactions == [small, small2])
        #expect(out.rejected.isEmpty)
        let total = out.executed.block.transactions.reduce(0) { $0 + $1.raw.count }
        #expect(UInt64(total) <= consensus.maxBlockBytes)
    }

    @Test("the block gas limit caps the gas; the rest stay pooled")
    func gasLimit() throws {
        let node = try TestNode(F.genesis(blockGasLimit: 50_000))
        let txs = try (0..<3).map { try F.transfer(F.alice, nonce: UInt64($0), to: F.carolAddress, value: 1) }
        let out = try node.build(txs)
        #expect(out.executed.block.transactions == Array(txs.prefix(2)))
        #expect(out.executed.block.header.gasUsed == 42_000)
        #expect(out.rejected.isEmpty)
    }

    @Test("the next block carries the parent's certificate and its hash")
    func carriesLastCommit() throws {
        var node = try TestNode(F.genesis())
        try node.commit(try node.build([try F.transfer(F.alice, nonce: 0, to: F.carolAddress, value: 1)]).executed)
        let out = try node.build([try F.transfer(F.alice, nonce: 1, to: F.carolAddress, value: 1)])
        let cert = try #require(node.lastCommit)
        #expect(out.executed.block.lastCommit == cert)
        #expect(out.executed.block.header.lastCommitHash == cert.hash)
        #expect(out.executed.block.header.height == 2)
    }
}
