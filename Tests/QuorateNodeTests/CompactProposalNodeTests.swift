import QuorateConsensus
import QuorateCore
import QuorateCrypto
@testable import QuorateNode
import QuorateP2P
import Synchronization
import Testing

/// The node's side as `PeerNetworking` sees it, with a pool that refuses every gossiped
/// transaction (as a full pool does) and records what reaches consensus.
final class RefusingPoolHost: PeerNetworkingHost, @unchecked Sendable {
    let pool: [Hash32: Transaction]
    let delivered = Mutex<[ConsensusMessage]>([])
    let gossiped = Mutex(0)

    init(pool: [Transaction]) { self.pool = Dictionary(uniqueKeysWithValues: pool.map { ($0.hash, $0) }) }

    func pooledHashes(limit: Int) -> [Hash32] { [] }
    func knowsTransaction(_ hash: Hash32) -> Bool { pool[hash] != nil }
    func pooledTransaction(_ hash: Hash32) -> [UInt8]? { pool[hash]?.raw }
    func pooledTransactions(_ hashes: [Hash32]) -> [Transaction?] { hashes.map { pool[$0] } }
    func admitGossiped(_ raws: [[UInt8]]) -> [[UInt8]] {
        gossiped.withLock { $0 += raws.count }
        return []
    }
    func consensusMessageArrived(_ message: ConsensusMessage) { delivered.withLock { $0.append(message) } }
    func stateAnswerArrived(_ items: [[UInt8]], from peer: PeerID) -> Bool { false }
}

/// `PeerNetworking` fed by hand (no sockets): a network that is never started stands in for the
/// one that delivers messages; what it would send to peers goes nowhere.
final class NetworkingHarness {
    let dir: NodeDirectory
    let node: Node
    let networking: PeerNetworking
    let network: Network
    let host: RefusingPoolHost
    /// The network's log lines (misbehaviour reports among them).
    let log: LogLines
    static let peer = try! Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [0x61]).publicKey

    init(pool: [Transaction]) throws {
        // The fixture's proposer is a validator here: compact proposals are checked before use.
        let base = try ConsensusDriverTests.genesis()
        let genesis = Genesis(chainId: base.chainId, timestampMs: 0,
                              validators: try ValidatorSet(base.validators.validators
                                  + [Validator(address: Address(AssemblyFixture.proposerKey.publicKey.ethereumAddress), nodeKey: [])]),
                              alloc: base.alloc, consensus: base.consensus)
        var dir = try NodeDirectory("compact", genesis: genesis)
        dir.config.validatorKey = ConsensusDriverTests.validatorKey
        self.dir = dir
        node = try Node(config: dir.config)
        let lines = LogLines()
        log = lines
        let config = NetworkConfig(nodeKey: try Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [0x62]),
                                   listenPort: 0, isAllowed: { _ in true }, chainId: ConsensusDriverTests.chainId,
                                   genesisHash: node.store.genesisHash, log: { line in lines.lines.withLock { $0.append(line) } })
        networking = PeerNetworking(store: node.store, config: config, clockMs: Node.wallClockMs)
        host = RefusingPoolHost(pool: pool)
        networking.attach(host: host, syncChain: node.syncChain(), logger: node.logger)
        network = Network(config: config, delegate: networking)
    }

    func receive(_ payload: [UInt8]) { networking.network(network, didReceiveConsensus: payload, from: Self.peer) }
    func receive(transactions: [[UInt8]]) { networking.network(network, didReceiveTransactions: transactions, from: Self.peer) }
    var delivered: [ConsensusMessage] { host.delivered.withLock { $0 } }

    func remove() {
        network.stop()
        dir.remove()
    }
}

final class LogLines: Sendable {
    let lines = Mutex<[String]>([])
}

@Suite("compact proposals in the node")
struct CompactProposalNodeTests {
    typealias F = AssemblyFixture

    @Test("a proposal is assembled from transactions peers send even when the pool refuses them")
    func assembledDespiteRefusingPool() throws {
        let txs = F.transfers(3)
        let harness = try NetworkingHarness(pool: [txs[0]])
        defer { harness.remove() }
        let (proposal, compact) = F.proposal(txs)
        harness.receive(compact.encoded())
        #expect(harness.delivered.isEmpty, "two transactions missing")
        #expect(harness.networking.assembly.withLock { $0.pendingCount } == 1)
        harness.receive(transactions: [txs[1].raw, txs[2].raw])
        #expect(harness.host.gossiped.withLock { $0 } == 2, "offered to the pool first, which refused both")
        #expect(harness.delivered == [.proposal(proposal)])
        if case .proposal(let p)? = harness.delivered.first { #expect(p.block == proposal.block) }
        #expect(harness.networking.assembly.withLock { $0.pendingCount } == 0)
    }

    @Test("the transactions of a proposal sent or assembled are served to peers though no pool holds them, until the next commit")
    func proposalTransactionsServed() throws {
        let txs = F.transfers(3)
        let harness = try NetworkingHarness(pool: [])
        defer { harness.remove() }
        let serve = { harness.networking.network(harness.network, pooledTransactions: txs.map(\.hash)) }
        #expect(serve().isEmpty, "nothing pooled, nothing proposed")
        // A locked block re-proposed by this node after a restart: its pool is empty.
        let (own, _) = F.proposal(Array(txs.prefix(2)))
        harness.networking.broadcast(.proposal(own))
        #expect(serve() == txs.prefix(2).map(\.raw))
        // One assembled from a peer's compact proposal and the transactions peers sent.
        let (_, compact) = F.proposal([txs[2]])
        harness.receive(compact.encoded())
        harness.receive(transactions: [txs[2].raw])
        #expect(harness.delivered.count == 1)
        #expect(serve() == txs.map(\.raw))
        harness.networking.committed(height: 1)
        #expect(serve().isEmpty)
    }

    @Test("a proposal whose hash list names a transaction nobody delivers never reaches consensus, and goes at its height's commit")
    func undeliveredNeverReachesConsensus() throws {
        let txs = F.transfers(2)
        let harness = try NetworkingHarness(pool: [txs[0]])
        defer { harness.remove() }
        let (_, compact) = F.proposal(txs)
        harness.receive(compact.encoded())
        harness.receive(compact.encoded())  // a second copy: dropped by the seen-set
        harness.receive(transactions: [F.transfers(1, from: F.proposerKey)[0].raw])
        #expect(harness.delivered.isEmpty)
        #expect(harness.networking.assembly.withLock { $0.pendingCount } == 1)
        harness.networking.assembly.withLock { $0.committed(height: 1) }
        #expect(harness.networking.assembly.withLock { $0.pendingCount } == 0)
    }

    @Test("a listed transaction whose bytes match the hash but do not decode ends the wait")
    func undecodableListed() throws {
        let harness = try NetworkingHarness(pool: [])
        defer { harness.remove() }
        let garbage: [UInt8] = [0xde, 0xad, 0xbe, 0xef]
        harness.receive(F.unknown([Hash32.keccak(garbage)]).encoded())
        #expect(harness.networking.assembly.withLock { $0.pendingCount } == 1)
        harness.receive(transactions: [garbage])
        #expect(harness.networking.assembly.withLock { $0.pendingCount } == 0)
        #expect(harness.delivered.isEmpty)
    }

    @Test("duplicate hashes, oversize lists and full proposals on the wire are refused as misbehaviour")
    func refusedOnTheWire() throws {
        let txs = F.transfers(2)
        let harness = try NetworkingHarness(pool: txs)
        defer { harness.remove() }
        let (proposal, _) = F.proposal(txs)
        harness.receive(F.unknown([txs[0].hash, txs[1].hash, txs[0].hash]).encoded())
        let oversize = (0...Block.maxTransactions).map { i in Hash32.keccak(withUnsafeBytes(of: UInt32(i)) { Array($0) }) }
        harness.receive(F.unknown(oversize).encoded())
        harness.receive(ConsensusMessage.proposal(proposal).encoded())
        #expect(harness.delivered.isEmpty)
        #expect(harness.networking.assembly.withLock { $0.pendingCount } == 0)
        let lines = harness.log.lines.withLock { $0 }
        #expect(lines.contains { $0.contains("twice") }, "\(lines)")
        #expect(lines.contains { $0.contains("over the limit of \(Block.maxTransactions)") }, "\(lines)")
        #expect(lines.contains { $0.contains("full proposal") }, "\(lines)")
    }

    @Test("a compact proposal not signed by a validator of its height is refused before anything is asked; a past height is ignored")
    func checkedBeforeUse() throws {
        let txs = F.transfers(2)
        let harness = try NetworkingHarness(pool: [])
        defer { harness.remove() }
        // Signed by a key outside the validator set.
        let outsider = try Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [0x77])
        let header = F.proposal(txs).0.block.header
        let forged = try Proposal.sign(chainId: F.chainId, height: 1, round: 0, validRound: nil,
                                       block: Block(header: header, transactions: txs, lastCommit: nil), key: outsider)
        harness.receive(CompactProposal(forged).encoded())
        // The validator's fields with another key's signature.
        let (real, _) = F.proposal(txs, round: 1)
        let stolen = CompactProposal(height: 1, round: 1, validRound: nil, header: real.block.header, lastCommit: nil,
                                     transactionHashes: txs.map(\.hash), proposer: real.proposer, signature: forged.signature)
        harness.receive(stolen.encoded())
        // Height 0 is committed: nothing to assemble, nothing to say.
        harness.receive(F.proposal(txs, height: 0, round: 2).1.encoded())
        #expect(harness.networking.assembly.withLock { $0.pendingCount } == 0)
        #expect(harness.delivered.isEmpty)
        let lines = harness.log.lines.withLock { $0 }
        #expect(lines.contains { $0.contains("not a validator of that height") }, "\(lines)")
        #expect(lines.contains { $0.contains("whose signature is not") }, "\(lines)")
        #expect(!lines.contains { $0.contains("waits for") }, "nothing was asked of peers: \(lines)")
        #expect(lines.filter { $0.contains("compact proposal") }.count == 2, "the past height is not misbehaviour: \(lines)")
    }

    @Test("the largest compact proposal fits one P2P message")
    func fitsOneMessage() {
        #expect(ConsensusWire.maxEncodedBytes + 1 <= MessageFraming.maxMessageBytes)
        #expect(F.unknown(Array(repeating: .zero, count: 1)).encoded().count < 2_000)
    }
}

@Suite("a validator refuses bad compact proposals")
struct CompactProposalValidationTests {
    typealias F = AssemblyFixture
    typealias D = ConsensusDriverTests

    /// A validator node with three pooled transfers, and the block it builds of them at height 1.
    static func node() throws -> (NodeDirectory, Node, Block) {
        var dir = try NodeDirectory("compact-validate", genesis: try D.genesis())
        dir.config.validatorKey = D.validatorKey
        let node = try Node(config: dir.config)
        for nonce in 0..<3 { _ = try node.submit(raw: try D.transfer(nonce: UInt64(nonce))) }
        return (dir, node, node.consensus.build(height: 1))
    }

    static func assemble(_ compact: CompactProposal, pool: Mempool, arriving: [Transaction] = []) -> Proposal? {
        var assembly = ProposalAssembly<Int>(committedHeight: 0)
        let actions = assembly.received(compact, pooled: F.lookUp(compact, in: pool), from: 1, proposerNode: nil)
        if case .deliver(let p)? = actions.first { return p }
        return assembly.offer(arriving).first
    }

    static func sign(_ block: Block) throws -> Proposal {
        try Proposal.sign(chainId: D.chainId, height: 1, round: 0, validRound: nil, block: block, key: D.validatorKey)
    }

    @Test("a block rebuilt from the pool in the listed order validates; a reordered hash list fails the transactions root")
    func reorderedHashList() throws {
        let (dir, node, block) = try Self.node()
        defer { dir.remove() }
        #expect(block.transactions.count == 3)
        let honest = CompactProposal(try Self.sign(block))
        let rebuilt = try #require(Self.assemble(honest, pool: node.mempool))
        #expect(rebuilt.blockHash == block.hash)
        _ = try node.consensus.validate(rebuilt.block)
        let reordered = CompactProposal(height: 1, round: 0, validRound: nil, header: honest.header, lastCommit: nil,
                                        transactionHashes: honest.transactionHashes.reversed(), proposer: honest.proposer,
                                        signature: honest.signature)
        let lying = try #require(Self.assemble(reordered, pool: node.mempool))
        #expect(lying.hasValidSignature(chainId: D.chainId), "the signature covers the header, not the list")
        #expect(throws: (any Error).self) { _ = try node.consensus.validate(lying.block) }
        do { _ = try node.consensus.validate(lying.block) } catch {
            #expect("\(error)".contains("transactions root"), "\(error)")
        }
    }

    @Test("a listed transaction fetched from a peer that cannot execute makes the block fail validation")
    func fetchedTransactionFails() throws {
        let (dir, node, block) = try Self.node()
        defer { dir.remove() }
        // From an account without funds: no pool admits it, a peer hands it over on request.
        let unfunded = F.transfers(1)[0]
        var header = block.header
        let transactions = block.transactions + [unfunded]
        header.transactionsRoot = Block.transactionsRoot(transactions)
        let compact = CompactProposal(try Self.sign(Block(header: header, transactions: transactions, lastCommit: nil)))
        #expect(Self.assemble(compact, pool: node.mempool) == nil, "missing one: not delivered")
        let rebuilt = try #require(Self.assemble(compact, pool: node.mempool, arriving: [unfunded]))
        do {
            _ = try node.consensus.validate(rebuilt.block)
            Issue.record("a block with an unfunded transfer validated")
        } catch {
            #expect(!"\(error)".contains("transactions root"), "refused for the transaction, not the root: \(error)")
        }
    }
}
