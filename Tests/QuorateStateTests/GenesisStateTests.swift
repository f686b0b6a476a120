import QuorateCore
import QuorateCrypto
import QuorateState
import QuorateTestSupport
import Testing

@Suite("genesis state")
struct GenesisStateTests {
    typealias F = StateFixture

    @Test("block 0 commits the alloc balances, the validators and the genesis content")
    func blockZero() throws {
        let genesis = F.genesis(baseFee: 3)
        var store = MemoryNodeStore()
        let executed = try GenesisState.build(genesis, nodes: store)
        store.insert(executed.stateUpdate)
        let h = executed.block.header
        #expect(h.chainId == F.chainId && h.height == 0 && h.timestampMs == 1_000)
        #expect(h.parentHash == .zero && h.proposer == .zero)
        #expect(h.transactionsRoot == .zero && h.receiptsRoot == .zero && h.gasUsed == 0)
        #expect(h.validatorsHash == F.validators.hash && h.nextValidatorsHash == F.validators.hash)
        #expect(h.lastCommitHash == genesis.contentHash)
        #expect(h.gasLimit == genesis.fees.blockGasLimit && h.baseFeePerGas == 3)
        #expect(executed.block.transactions.isEmpty && executed.block.lastCommit == nil && executed.receipts.isEmpty)
        #expect(h.stateRoot == executed.stateUpdate.newRoot)
        let accounts = CommittedAccounts(root: h.stateRoot, nodes: store)
        #expect(try accounts.account(F.address(F.alice)) == Account(balance: F.initialBalance))
        #expect(try accounts.account(F.bobAddress) == Account(balance: F.initialBalance))
        #expect(try accounts.account(F.carolAddress) == nil)
        #expect(executed.changedAccounts.map(\.0) == [F.address(F.alice), F.bobAddress].sorted())
    }

    @Test("the same genesis gives the same block 0 on two nodes; any difference gives another hash")
    func deterministic() throws {
        let a = try GenesisState.build(F.genesis(), nodes: MemoryNodeStore())
        let b = try GenesisState.build(F.genesis(), nodes: MemoryNodeStore())
        #expect(a.block.hash == b.block.hash)
        var consensus = ConsensusParams()
        consensus.timeoutDeltaMs += 1
        let c = try GenesisState.build(F.genesis(consensus: consensus), nodes: MemoryNodeStore())
        #expect(c.block.hash != a.block.hash, "a parameter outside the header still changes the genesis hash")
        #expect(c.block.header.stateRoot == a.block.header.stateRoot)
        let d = try GenesisState.build(F.genesis(alloc: [(F.address(F.alice), F.initialBalance)]), nodes: MemoryNodeStore())
        #expect(d.block.header.stateRoot != a.block.header.stateRoot)
    }

    @Test("no alloc gives the empty state root; a zero balance stores nothing")
    func emptyAndZero() throws {
        let empty = try GenesisState.build(F.genesis(alloc: []), nodes: MemoryNodeStore())
        #expect(empty.block.header.stateRoot == SparseMerkleTree.emptyRoot)
        let zero = try GenesisState.build(F.genesis(alloc: [(F.carolAddress, 0)]), nodes: MemoryNodeStore())
        #expect(zero.block.header.stateRoot == SparseMerkleTree.emptyRoot)
    }

    @Test("a total supply over 2^256 is refused")
    func supplyOverflow() throws {
        expectError(containing: "the total of all balances exceeds 2^256") {
            _ = try GenesisState.build(F.genesis(alloc: [(F.address(F.alice), .max), (F.bobAddress, 1)]), nodes: MemoryNodeStore())
        }
        // Exactly 2^256 - 1 in total is fine.
        _ = try GenesisState.build(F.genesis(alloc: [(F.address(F.alice), .max - 1), (F.bobAddress, 1)]), nodes: MemoryNodeStore())
    }
}
