import QuorateConsensus
import QuorateCore
import QuorateCrypto
@testable import QuorateNode
import QuorateState
import Testing

/// Signed transfers, pools and compact proposals for the assembly tests.
enum AssemblyFixture {
    static let chainId: UInt64 = 1337
    static let proposerKey = try! Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [0x51])
    static let senderKey = try! Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [0x52])

    static func transfers(_ count: Int, from key: Secp256k1.PrivateKey = senderKey, chainId: UInt64 = chainId) -> [Transaction] {
        (0..<count).map { nonce in
            try! UnsignedTransaction(chainId: chainId, nonce: UInt64(nonce), gasLimit: 21_000,
                                     to: Address([UInt8](repeating: 0xcd, count: 20)), value: 1).signed(with: key)
        }
    }

    static func pool(_ transactions: [Transaction]) -> Mempool {
        let pool = Mempool()
        for tx in transactions {
            try! pool.add(tx, sender: try! tx.recoverSender(), account: Account(nonce: 0, balance: UInt256(UInt64(1) << 60)))
        }
        return pool
    }

    /// A signed proposal of a synthetic block holding `transactions`, sent compact.
    static func proposal(_ transactions: [Transaction], height: UInt64 = 1, round: UInt32 = 0) -> (Proposal, CompactProposal) {
        let header = BlockHeader(
            chainId: chainId, height: height, timestampMs: 1_000, parentHash: .keccak([1]),
            proposer: Address(proposerKey.publicKey.ethereumAddress), transactionsRoot: Block.transactionsRoot(transactions),
            receiptsRoot: .zero, stateRoot: .keccak([2]), validatorsHash: .zero, nextValidatorsHash: .zero,
            lastCommitHash: .zero, gasLimit: 30_000_000, gasUsed: 0, baseFeePerGas: .zero)
        let proposal = try! Proposal.sign(chainId: chainId, height: height, round: round, validRound: nil,
                                          block: Block(header: header, transactions: transactions, lastCommit: nil),
                                          key: proposerKey)
        return (proposal, CompactProposal(proposal))
    }

    /// A compact proposal naming `hashes`, which no pool holds (the assembly reads only the hashes).
    static func unknown(_ hashes: [Hash32], height: UInt64 = 1, round: UInt32 = 0) -> CompactProposal {
        let c = proposal([], height: height, round: round).1
        return CompactProposal(height: c.height, round: round, validRound: nil, header: c.header, lastCommit: nil,
                               transactionHashes: hashes, proposer: c.proposer, signature: c.signature)
    }

    static func lookUp(_ c: CompactProposal, in pool: Mempool) -> [Transaction?] {
        c.transactionHashes.map { pool.entry($0)?.transaction }
    }
}

@Suite("proposal assembly")
struct ProposalAssemblyTests {
    typealias F = AssemblyFixture
    typealias Assembly = ProposalAssembly<Int>

    @Test("a compact proposal whose transactions are all pooled is delivered at once with the same block hash")
    func allPooled() {
        let txs = F.transfers(5)
        let pool = F.pool(txs)
        let (proposal, compact) = F.proposal(txs)
        var assembly = Assembly(committedHeight: 0)
        let actions = assembly.received(compact, pooled: F.lookUp(compact, in: pool), from: 1, proposerNode: 2)
        guard case .deliver(let delivered)? = actions.first, actions.count == 1 else {
            Issue.record("expected one delivery, got \(actions)")
            return
        }
        #expect(delivered == proposal)
        #expect(delivered.blockHash == proposal.blockHash)
        #expect(delivered.block == proposal.block)
        #expect(delivered.hasValidSignature(chainId: F.chainId))
        #expect(assembly.pendingCount == 0)
    }

    @Test("missing transactions are asked of the sender and the proposer; the proposal completes when they arrive")
    func missingThenArrive() {
        let txs = F.transfers(5)
        let pool = F.pool(Array(txs.prefix(2)))
        let (proposal, compact) = F.proposal(txs)
        var assembly = Assembly(committedHeight: 0)
        let actions = assembly.received(compact, pooled: F.lookUp(compact, in: pool), from: 1, proposerNode: 2)
        #expect(actions == [.request(txs[2...].map(\.hash), from: [1, 2])])
        #expect(assembly.pendingCount == 1 && assembly.missingCount == 3)
        #expect(assembly.wants(txs[3].hash) && !assembly.wants(txs[0].hash))
        // Part of them, and one nobody asked for: still waiting.
        #expect(assembly.offer([txs[3], F.transfers(1, from: F.proposerKey)[0]]).isEmpty)
        #expect(assembly.missingCount == 2)
        let completed = assembly.offer([txs[2], txs[4]])
        #expect(completed == [proposal])
        #expect(completed.first?.block == proposal.block)
        #expect(assembly.pendingCount == 0 && !assembly.isWaiting)
    }

    @Test("a proposal sent by its own proposer's node is asked of that node once")
    func senderIsProposer() {
        let txs = F.transfers(2)
        let compact = F.proposal(txs).1
        var assembly = Assembly(committedHeight: 0)
        #expect(assembly.received(compact, pooled: [nil, nil], from: 3, proposerNode: 3) == [.request(txs.map(\.hash), from: [3])])
        #expect(assembly.received(compact, pooled: [nil, nil], from: 4, proposerNode: 3).isEmpty, "the same proposal waits once")
        #expect(assembly.pendingCount == 1)
    }

    @Test("a peer that announces a proposal and never delivers leaves one waiting proposal, dropped when its height commits")
    func neverDelivers() {
        let hashes = (0..<100).map { Hash32.keccak([UInt8($0)]) }
        var assembly = Assembly(committedHeight: 0)
        _ = assembly.received(F.unknown(hashes, height: 1), pooled: Array(repeating: nil, count: 100), from: 1, proposerNode: nil)
        _ = assembly.received(F.unknown(hashes, height: 2), pooled: Array(repeating: nil, count: 100), from: 1, proposerNode: nil)
        #expect(assembly.pendingCount == 2 && assembly.missingCount == 200)
        assembly.committed(height: 1)
        #expect(assembly.pendingCount == 1, "height 1 committed: its proposal goes, the next height's stays")
        assembly.committed(height: 2)
        #expect(assembly.pendingCount == 0 && assembly.missingCount == 0 && !assembly.wants(hashes[0]))
        // Late copies of committed heights are not even kept.
        #expect(assembly.received(F.unknown(hashes, height: 2, round: 1), pooled: Array(repeating: nil, count: 100),
                                  from: 1, proposerNode: nil).isEmpty)
        #expect(assembly.pendingCount == 0)
    }

    @Test("a flood of compact proposals keeps at most maxPending waiting, the newest")
    func flood() {
        let txs = F.transfers(1)
        var assembly = Assembly(committedHeight: 0)
        for round in 0..<UInt32(100) {
            let compact = F.proposal(txs, round: round).1
            #expect(assembly.received(compact, pooled: [nil], from: Int(round), proposerNode: nil).count == 1)
            #expect(assembly.pendingCount <= Assembly.maxPending)
        }
        #expect(assembly.pendingCount == Assembly.maxPending)
        #expect(assembly.missingCount == Assembly.maxPending)
        let completed = assembly.offer(txs)
        #expect(completed.map(\.round) == Array(UInt32(100 - Assembly.maxPending)..<100))
    }

    @Test("the transactions asked for one proposal are capped at maxRequestedPerProposal")
    func requestCap() {
        let count = Assembly.maxRequestedPerProposal + 5
        let hashes = (0..<count).map { i in Hash32.keccak(withUnsafeBytes(of: UInt32(i)) { Array($0) }) }
        var assembly = Assembly(committedHeight: 0)
        let actions = assembly.received(F.unknown(hashes), pooled: Array(repeating: nil, count: count), from: 1, proposerNode: 2)
        guard case let .request(asked, peers)? = actions.first else {
            Issue.record("expected a request, got \(actions)")
            return
        }
        #expect(asked == Array(hashes.prefix(Assembly.maxRequestedPerProposal)))
        #expect(peers == [1, 2])
    }

    @Test("a listed transaction whose bytes cannot decode ends the wait for its proposal")
    func undecodableEndsWait() {
        let hashes = [Hash32.keccak([1]), Hash32.keccak([2])]
        var assembly = Assembly(committedHeight: 0)
        _ = assembly.received(F.unknown(hashes), pooled: [nil, nil], from: 1, proposerNode: nil)
        assembly.dropWaiting(for: hashes[1])
        #expect(assembly.pendingCount == 0)
    }
}
