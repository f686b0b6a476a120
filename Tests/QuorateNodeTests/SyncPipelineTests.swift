import Dispatch
import Foundation
import QuorateCore
import QuorateCrypto
@testable import QuorateNode
import QuorateState
import QuorateStorage
import Synchronization
import Testing

/// Block sync's apply path on a real node (`ConsensusDriver.applySyncedBlocks`, whose writes
/// overlap the next block's execution) against a chain built and committed one block at a time.
@Suite("block sync's pipelined apply")
struct SyncPipelineTests {
    typealias D = ConsensusDriverTests
    static let user = Address(D.userKey.publicKey.ethereumAddress)
    static let proposer = Address(D.validatorKey.publicKey.ethereumAddress)

    static func genesis() throws -> Genesis {
        let base = try D.genesis()
        return Genesis(chainId: base.chainId, timestampMs: 0, validators: base.validators,
                       alloc: [(user, UInt256(1_000_000_000_000_000_000))], consensus: base.consensus)
    }

    /// A chain of `blocks` blocks of `perBlock` transfers each (to a new recipient each, so every
    /// block adds accounts and state-tree nodes), committed in series as consensus would.
    struct Reference {
        var pairs: [(Block, CommitCertificate)] = []
        var stateRoots: [UInt64: Hash32] = [:]
        var receipts: [UInt64: [Receipt]] = [:]
        var nonceAfter: [UInt64: UInt64] = [:]
    }

    static func buildChain(blocks: Int, perBlock: Int) throws -> Reference {
        var dir = try NodeDirectory("sync-source", genesis: try genesis())
        defer { dir.remove() }
        dir.config.validatorKey = D.validatorKey
        let store = try ChainStore(path: dir.config.storePath)
        let rules = ChainRules(genesis: store.genesis)
        var reference = Reference(), nonce: UInt64 = 0
        for height in 1...UInt64(blocks) {
            var candidates = [BlockBuilder.Candidate]()
            for _ in 0..<perBlock {
                let to = Address(Array(Hash32.keccak(withUnsafeBytes(of: nonce.bigEndian, Array.init)).bytes.suffix(20)))
                let tx = try Transaction.decode(raw: try UnsignedTransaction(chainId: D.chainId, nonce: nonce, gasLimit: 21_000,
                                                                             to: to, value: 7).signed(with: D.userKey).raw)
                candidates.append(BlockBuilder.Candidate(transaction: tx, sender: user))
                nonce += 1
            }
            let head = store.head
            let output = try BlockBuilder.build(parent: try store.parentState(for: head), candidates: candidates,
                                                proposer: proposer, timestampMs: 1_000 * height,
                                                lastCommit: head.height == 0 ? nil : try store.certificate(at: head.height), rules: rules)
            #expect(output.executed.block.transactions.count == perBlock)
            let certificate = try SyncedBlockCheckTests.certificate(output.executed.block, signedBy: D.validatorKey)
            try store.commit(output.executed, certificate: certificate)
            reference.pairs.append((output.executed.block, certificate))
            reference.stateRoots[height] = output.executed.block.header.stateRoot
            reference.receipts[height] = output.executed.receipts
            reference.nonceAfter[height] = nonce
        }
        return reference
    }

    /// A fresh non-voting node fed `batches` through its driver's sync path, one after another,
    /// with the best peer at `highestHeight` (0: the batch's own end).
    static func sync(_ batches: [[(Block, CommitCertificate)]], genesis: Genesis? = nil, highestHeight: UInt64 = 0,
                     afterBatch: (Node) throws -> Void = { _ in },
                     _ body: (Node, [(applied: Int, error: Error?)]) throws -> Void) throws {
        let dir = try NodeDirectory("sync-fresh", genesis: try genesis ?? Self.genesis())
        defer { dir.remove() }
        let node = try Node(config: dir.config)
        var results = [(applied: Int, error: Error?)]()
        for batch in batches {
            let outcome = Mutex<(Int, Error?)?>(nil)
            let done = DispatchSemaphore(value: 0)
            node.consensus.applySyncedBlocks(batch, highestHeight: highestHeight) { applied, error in
                outcome.withLock { $0 = (applied, error) }
                done.signal()
            }
            done.wait()
            let (applied, error) = outcome.withLock { $0! }
            results.append((applied, error))
            try afterBatch(node)
        }
        try body(node, results)
    }

    static func expectSame(_ store: ChainStore, as reference: Reference, through height: UInt64) throws {
        #expect(store.head.height == height)
        #expect(store.head.hash == reference.pairs[Int(height) - 1].0.hash)
        #expect(store.head.stateRoot == reference.stateRoots[height])
        for h in 1...height {
            #expect(try store.block(at: h)?.hash == reference.pairs[Int(h) - 1].0.hash)
            #expect(try store.receipts(at: h) == reference.receipts[h])
            #expect(try store.certificate(at: h)?.blockHash == reference.pairs[Int(h) - 1].0.hash)
        }
        #expect(try store.account(user)?.nonce == reference.nonceAfter[height])
    }

    /// Nothing of block `height` or after is in the store: no block, certificate, receipts or index.
    static func expectAbsent(_ store: ChainStore, _ reference: Reference, from height: UInt64) throws {
        for h in height...UInt64(reference.pairs.count) {
            let block = reference.pairs[Int(h) - 1].0
            #expect(try store.block(at: h) == nil)
            #expect(try store.certificate(at: h) == nil)
            #expect(try store.receipts(at: h).isEmpty)
            #expect(try store.height(of: block.hash) == nil)
            #expect(try store.transactionLocation(block.transactions[0].hash) == nil)
        }
    }

    @Test("blocks synced in overlapping batches end with the same head hash, state root, receipts and accounts as applying them in series")
    func sameAsSerial() throws {
        let reference = try Self.buildChain(blocks: 24, perBlock: 6)
        let pairs = reference.pairs
        // The second batch repeats blocks the first applied: those are skipped, not applied twice.
        try Self.sync([Array(pairs[0..<10]), Array(pairs[6..<24])]) { node, results in
            #expect(results.map(\.applied) == [10, 14])
            #expect(results.allSatisfy { $0.error == nil })
            try Self.expectSame(node.store, as: reference, through: 24)
            // Block sync writes each block's tree with it, whatever the node's flush interval.
            #expect(node.store.stateFlushedHeight == 24)
            for (i, tx) in pairs[23].0.transactions.enumerated() {
                let location = try node.store.transactionLocation(tx.hash)
                #expect(location?.height == 24 && location?.index == i)
            }
        }
    }

    @Test("far below the best peer the heights are passed: the tree is written every 16 heights, the passed heights answer as pruned, the last 128 are written whole")
    func passesTheHeightsFarBelowTheTip() throws {
        let reference = try Self.buildChain(blocks: 40, perBlock: 3)
        let retention = NodeConfig.defaultStateRetentionHeights
        // Heights 1...31 are more than the retention below the best peer; 32...40 are not.
        let highest = 31 + retention + 1
        var flushedAfterBatch: [UInt64] = []
        try Self.sync([Array(reference.pairs[0..<20]), Array(reference.pairs[20..<40])], highestHeight: highest,
                      afterBatch: { flushedAfterBatch.append($0.store.stateFlushedHeight) }) { node, results in
            #expect(results.map(\.applied) == [20, 20])
            // Heights 1...20 were passed: the tree reached the disk at 16, not with block 20.
            #expect(flushedAfterBatch == [16, 40])
            try Self.expectSame(node.store, as: reference, through: 40)
            #expect(node.store.stateFlushedHeight == 40, "the heights near the tip are written whole")
            // The last passed height keeps its parent readable, no more: 30 is the oldest state.
            #expect(try node.store.oldestState() == 30)
            let pruned = #expect(throws: (any Error).self) { try node.account(Self.user, at: 12) }
            #expect(pruned.map { "\($0)" }?.contains("the oldest available state is at block 30") == true)
            // Contract reads at that height get the same answer.
            for read in [{ _ = try node.code(Self.user, at: 12) }, { _ = try node.storage(Self.user, slot: .zero, at: 12) }] {
                let error = #expect(throws: (any Error).self) { try read() }
                #expect(error.map { "\($0)" }?.contains("missing trie node") == true)
            }
            for h in UInt64(30)...40 { #expect(try node.account(Self.user, at: h).nonce == reference.nonceAfter[h]) }
        }
    }

    @Test("a node that keeps every state writes every synced height whole, however far below the best peer")
    func archiveNodePassesNothing() throws {
        let reference = try Self.buildChain(blocks: 6, perBlock: 2)
        var dir = try NodeDirectory("sync-archive", genesis: try Self.genesis())
        defer { dir.remove() }
        dir.config.stateRetentionHeights = nil
        let node = try Node(config: dir.config)
        #expect(node.store.treeWriteForSyncedBlock(at: 1, highestHeight: 1_000_000) == .whole)
        let done = DispatchSemaphore(value: 0)
        node.consensus.applySyncedBlocks(reference.pairs, highestHeight: 1_000_000) { _, _ in done.signal() }
        done.wait()
        try Self.expectSame(node.store, as: reference, through: 6)
        #expect(try node.store.oldestState() == nil)
        for h in UInt64(1)...6 { #expect(try node.account(Self.user, at: h).nonce == reference.nonceAfter[h]) }
    }

    @Test("a certificate signed by an outsider in the middle of a batch stops it at the block before; nothing after that block is applied")
    func badCertificateMidBatch() throws {
        let reference = try Self.buildChain(blocks: 12, perBlock: 4)
        var pairs = reference.pairs
        pairs[6].1 = try SyncedBlockCheckTests.certificate(pairs[6].0, signedBy: SyncedBlockCheckTests.outsider)
        try Self.sync([pairs]) { node, results in
            #expect(results[0].applied == 6)
            #expect(results[0].error is BlockValidationError)
            #expect("\(results[0].error!)".contains("certificate of block 7 does not verify"))
            try Self.expectSame(node.store, as: reference, through: 6)
            try Self.expectAbsent(node.store, reference, from: 7)
        }
    }

    @Test("a certified block whose state root its execution does not reach stops the batch at the block before, whose write was in flight")
    func badStateRootMidBatch() throws {
        let reference = try Self.buildChain(blocks: 9, perBlock: 3)
        var pairs = reference.pairs
        var forged = pairs[4].0
        forged.header.stateRoot = .keccak([1, 2, 3])
        pairs[4] = (forged, try SyncedBlockCheckTests.certificate(forged, signedBy: D.validatorKey))
        try Self.sync([pairs, reference.pairs]) { node, results in
            #expect(results[0].applied == 4)
            #expect("\(results[0].error!)".contains("state root"))
            // The genuine blocks, delivered next, continue from block 4's written state.
            #expect(results[1].applied == 5 && results[1].error == nil)
            try Self.expectSame(node.store, as: reference, through: 9)
        }
    }

    static let newcomer = try! Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [0x55])

    static func voteGenesis() throws -> Genesis {
        let base = try D.genesis()
        return Genesis(chainId: base.chainId, timestampMs: 0, validators: base.validators,
                       alloc: [(user, UInt256(1_000_000)), (proposer, UInt256(1_000_000))], consensus: base.consensus)
    }

    /// Blocks 1-4: block 2 carries the only validator's vote adding `newcomer`, so blocks 3 and 4
    /// are certified by both. Returns the blocks with those certificates and block 2's new set.
    static func chainWithValidatorChange() throws -> ([(Block, CommitCertificate)], ValidatorSet) {
        let dir = try NodeDirectory("sync-vote", genesis: try voteGenesis())
        defer { dir.remove() }
        let store = try ChainStore(path: dir.config.storePath)
        let rules = ChainRules(genesis: store.genesis)
        let change = ValidatorChange.add(Validator(address: Address(newcomer.publicKey.ethereumAddress),
                                                   nodeKey: newcomer.publicKey.compressed))
        let vote = try Transaction.decode(raw: try UnsignedTransaction(chainId: D.chainId, nonce: 0, gasLimit: 30_000,
            to: SystemAddress.validatorVotes, data: ValidatorVoteCommand.vote(change).encoded()).signed(with: D.validatorKey).raw)
        var pairs = [(Block, CommitCertificate)](), newSet: ValidatorSet?
        for height in UInt64(1)...4 {
            let tx = height == 2 ? vote : try Transaction.decode(raw: try D.transfer(nonce: height == 1 ? 0 : height - 2))
            let head = store.head
            let output = try BlockBuilder.build(parent: try store.parentState(for: head),
                                                candidates: [BlockBuilder.Candidate(transaction: tx, sender: height == 2 ? proposer : user)],
                                                proposer: proposer, timestampMs: 1_000 * height,
                                                lastCommit: head.height == 0 ? nil : try store.certificate(at: head.height), rules: rules)
            #expect(output.rejected.isEmpty)
            let block = output.executed.block
            newSet = newSet ?? output.executed.nextValidators
            let signers = height > 2 ? [D.validatorKey, newcomer] : [D.validatorKey]
            let certificate = CommitCertificate(precommits: try signers.map {
                try Vote.sign(chainId: D.chainId, type: .precommit, height: height, round: 0, blockHash: block.hash, key: $0)
            })
            try store.commit(output.executed, certificate: certificate)
            pairs.append((block, certificate))
        }
        return (pairs, try #require(newSet))
    }

    @Test("a validator set changed by a block still being written is the set the next block's certificate is checked against")
    func validatorChangeInFlight() throws {
        let (pairs, newSet) = try Self.chainWithValidatorChange()
        #expect(newSet.count == 2)
        try Self.sync([pairs], genesis: try Self.voteGenesis()) { node, results throws in
            #expect(results[0].applied == 4 && results[0].error == nil)
            #expect(node.store.head.hash == pairs[3].0.hash)
            #expect(try node.store.validators(at: 3) == newSet)
        }
        // Signed by the old set alone: a quorum of the set before block 2, not of the one after.
        var oldSigners = pairs
        oldSigners[2].1 = try SyncedBlockCheckTests.certificate(pairs[2].0, signedBy: D.validatorKey)
        try Self.sync([oldSigners], genesis: try Self.voteGenesis()) { node, results throws in
            #expect(results[0].applied == 2)
            #expect("\(results[0].error!)".contains("certificate of block 3 does not verify"))
            #expect(node.store.head.hash == pairs[1].0.hash)
            #expect(try node.store.block(at: 3) == nil)
        }
    }
}
