import Foundation
import QuorateCore
import QuorateCrypto
import QuorateState
@testable import QuorateStorage
import QuorateTestSupport
import Testing

@Suite("chain store")
struct ChainStoreTests {
    typealias F = ChainFixture

    @Test("initialize writes block 0 and its state; reopening finds the same chain")
    func initializeThenReopen() throws {
        try withTemporaryDirectory { path in
            let genesis = F.genesis()
            let expected = try GenesisState.build(genesis, nodes: MemoryNodeStore()).block
            do {
                let store = try ChainStore.initialize(path: path, genesis: genesis)
                #expect(store.head == expected.header)
                #expect(store.genesisHash == expected.hash)
                #expect(store.genesis == genesis && store.chainId == F.chainId)
                #expect(try store.block(at: 0) == expected)
                #expect(try store.height(of: expected.hash) == 0)
                #expect(try store.certificate(at: 0) == nil)
                #expect(try store.receipts(at: 0) == [])
                #expect(try store.account(F.address(F.alice)) == Account(balance: F.initialBalance))
                #expect(try store.account(F.address(F.alice), stateRoot: expected.header.stateRoot) == Account(balance: F.initialBalance))
                #expect(try store.account(F.carolAddress) == nil)
            }
            let reopened = try ChainStore(path: path)
            #expect(reopened.head == expected.header)
            #expect(reopened.genesisHash == expected.hash)
            #expect(reopened.genesis == genesis && reopened.genesis.contentHash == genesis.contentHash)
            #expect(try reopened.account(F.bobAddress) == Account(balance: F.initialBalance))
        }
    }

    @Test("blocks 1 to 5 with certificates: every read, before and after a reopen")
    func commitAndRead() throws {
        try withTemporaryDirectory { path in
            var committed: [(executed: ExecutedBlock, certificate: CommitCertificate)] = []
            do {
                let store = try ChainStore.initialize(path: path, genesis: F.genesis(baseFee: 1))
                committed = try F.commitBlocks(1...5, to: store)
                #expect(store.head == committed.last!.executed.block.header)
                try Self.checkReads(store, committed)
            }
            let reopened = try ChainStore(path: path)
            #expect(reopened.head.height == 5)
            #expect(reopened.head == committed.last!.executed.block.header)
            try Self.checkReads(reopened, committed)
            // The reopened store goes on where it stopped.
            let more = try F.commitBlocks(6...6, to: reopened)
            #expect(reopened.head == more[0].executed.block.header)
            #expect(more[0].executed.block.lastCommit == committed.last!.certificate)
        }
    }

    static func checkReads(_ store: ChainStore, _ committed: [(executed: ExecutedBlock, certificate: CommitCertificate)],
                           sourceLocation: SourceLocation = #_sourceLocation) throws {
        for (executed, certificate) in committed {
            let block = executed.block
            let h = block.height
            #expect(try store.block(at: h) == block, sourceLocation: sourceLocation)
            #expect(try store.height(of: block.hash) == h, sourceLocation: sourceLocation)
            #expect(try store.certificate(at: h) == certificate, sourceLocation: sourceLocation)
            #expect(try store.receipts(at: h) == executed.receipts, sourceLocation: sourceLocation)
            for (i, tx) in block.transactions.enumerated() {
                let location = try store.transactionLocation(tx.hash)
                #expect(location?.height == h && location?.index == i, sourceLocation: sourceLocation)
            }
            if h >= 2 {
                #expect(block.lastCommit == committed[Int(h) - 2].certificate, sourceLocation: sourceLocation)
            }
            // Historical state, through the tree at this block's root.
            let aliceThen = try store.account(F.address(F.alice), stateRoot: block.header.stateRoot)
            #expect(aliceThen?.nonce == 2 * h, "alice sends two transactions per block", sourceLocation: sourceLocation)
            #expect(try store.account(F.carolAddress, stateRoot: block.header.stateRoot)?.balance == UInt256(h * (h + 1)),
                    sourceLocation: sourceLocation)
        }
        // Latest state, from the flat table, equals the state at the head's root.
        for who in [F.address(F.alice), F.bobAddress, F.carolAddress, F.validators.validators[0].address, F.validators.validators[1].address] {
            #expect(try store.account(who) == store.account(who, stateRoot: store.head.stateRoot), sourceLocation: sourceLocation)
        }
        #expect(try store.account(F.address(F.alice))?.nonce == 2 * store.head.height, sourceLocation: sourceLocation)
        // Before block 1, alice had sent nothing.
        let genesisRoot = try #require(try store.block(at: 0)).header.stateRoot
        #expect(try store.account(F.address(F.alice), stateRoot: genesisRoot) == Account(balance: F.initialBalance),
                sourceLocation: sourceLocation)
        // Unknown things are absent, not errors.
        #expect(try store.block(at: 99) == nil, sourceLocation: sourceLocation)
        #expect(try store.height(of: Hash32.keccak([1])) == nil, sourceLocation: sourceLocation)
        #expect(try store.transactionLocation(Hash32.keccak([2])) == nil, sourceLocation: sourceLocation)
        #expect(try store.certificate(at: 99) == nil, sourceLocation: sourceLocation)
        #expect(try store.receipts(at: 99) == [], sourceLocation: sourceLocation)
    }

    @Test("initializing an initialised store is refused, saying what to do")
    func initializeTwice() throws {
        try withTemporaryDirectory { path in
            do { try ChainStore.initialize(path: path, genesis: F.genesis()) }
            expectError(containing: "\(path) is already initialised with this genesis; start the node with `quorate-node start`") {
                try ChainStore.initialize(path: path, genesis: F.genesis())
            }
            var other = F.genesis()
            other.chainId = 77
            expectError(containing: "\(path) is already initialised with another genesis (chain id \(F.chainId)); use a new data directory") {
                try ChainStore.initialize(path: path, genesis: other)
            }
            // Still usable afterwards.
            #expect(try ChainStore(path: path).head.height == 0)
        }
    }

    @Test("a store with a newer schema version is refused")
    func newerSchema() throws {
        try withTemporaryDirectory { path in
            do {
                let store = try ChainStore.initialize(path: path, genesis: F.genesis())
                try store.db.put(StoreKeys.metaSchemaVersion, StoreKeys.be(ChainStore.schemaVersion + 1), sync: true)
            }
            expectError(containing: "has schema version \(ChainStore.schemaVersion + 1), newer than this quorate-node (\(ChainStore.schemaVersion)): upgrade quorate-node") {
                _ = try ChainStore(path: path)
            }
        }
    }

    @Test("a store whose genesis was swapped after init is refused (block 0 no longer matches)")
    func swappedGenesis() throws {
        try withTemporaryDirectory { path in
            do {
                let store = try ChainStore.initialize(path: path, genesis: F.genesis())
                _ = try F.commitBlocks(1...2, to: store)
                var swapped = F.genesis()
                swapped.validators = try ValidatorSet((21...24).map { F.key(UInt8($0)) }.map {
                    Validator(address: F.address($0), nodeKey: [])
                })
                try store.db.put(StoreKeys.metaGenesis, swapped.jsonBytes(), sync: true)
            }
            expectError(containing: "was not made from the stored genesis") { _ = try ChainStore(path: path) }
        }
    }

    @Test("a store whose head certificate does not verify is refused (signed by non-validators)")
    func headCertificateDoesNotVerify() throws {
        try withTemporaryDirectory { path in
            do {
                let store = try ChainStore.initialize(path: path, genesis: F.genesis())
                _ = try F.commitBlocks(1...2, to: store)
                let header = store.head
                let forged = try (21...24).map {
                    try Vote.sign(chainId: F.chainId, type: .precommit, height: header.height, round: 0,
                                  blockHash: header.hash, key: F.key(UInt8($0)))
                }
                try store.db.put(StoreKeys.certificate(header.height), CommitCertificate(precommits: forged).encoded(), sync: true)
            }
            expectError(containing: "the head block 2 does not verify against its commit certificate") { _ = try ChainStore(path: path) }
            expectError(containing: "is not a validator") { _ = try ChainStore(path: path) }
        }
    }

    @Test("a store whose head has no certificate, or one for another block, is refused")
    func headCertificateMissingOrForeign() throws {
        try withTemporaryDirectory { path in
            var certificate: CommitCertificate?
            do {
                let store = try ChainStore.initialize(path: path, genesis: F.genesis())
                certificate = try F.commitBlocks(1...2, to: store)[1].certificate
                try store.db.delete(StoreKeys.certificate(2), sync: true)
            }
            expectError(containing: "block 2 has no commit certificate in the store: it is damaged") { _ = try ChainStore(path: path) }
            do {
                let db = try LevelDB(path: path, createIfMissing: false)
                var foreign = try #require(certificate)
                foreign.blockHash = Hash32.keccak([7])
                try db.put(StoreKeys.certificate(2), foreign.encoded(), sync: true)
            }
            expectError(containing: "the certificate stored for block 2 is for another block") { _ = try ChainStore(path: path) }
        }
    }

    @Test("a store whose chain id differs from its genesis is refused")
    func chainIdMismatch() throws {
        try withTemporaryDirectory { path in
            do {
                let store = try ChainStore.initialize(path: path, genesis: F.genesis())
                try store.db.put(StoreKeys.metaChainId, StoreKeys.be(F.chainId + 1), sync: true)
            }
            expectError(containing: "records a chain id that differs from its genesis") { _ = try ChainStore(path: path) }
        }
    }

    @Test("a path that holds no store is refused with the `quorate-node init` hint")
    func notInitialised() throws {
        try withTemporaryDirectory { path in
            // Nothing there at all.
            expectError(containing: "quorate-node init") { _ = try ChainStore(path: path) }
            // (LevelDB leaves an empty directory with a LOCK file behind; no store, so the same refusal.)
            expectError(containing: "quorate-node init") { _ = try ChainStore(path: path) }
            // A LevelDB database, but not a Quorate store.
            do { _ = try LevelDB(path: path, createIfMissing: true) }
            expectError(containing: "\(path) is not an initialised Quorate store: run `quorate-node init --genesis FILE --datadir DIR` first") {
                _ = try ChainStore(path: path)
            }
        }
    }

    @Test("a genesis with time 0 and validators without node keys survives the store (regression)")
    func minimalGenesisReopens() throws {
        try withTemporaryDirectory { path in
            let genesis = Genesis(chainId: 5, timestampMs: 0,
                                  validators: try ValidatorSet([Validator(address: F.address(F.key(1)), nodeKey: [], power: 1)]),
                                  alloc: [(F.bobAddress, 1)])
            do { try ChainStore.initialize(path: path, genesis: genesis) }
            let store = try ChainStore(path: path)
            #expect(store.genesis == genesis)
        }
    }
}

// MARK: - Support

/// The shared test chain (keys, genesis), and blocks committed on it.
typealias ChainFixture = TestGenesis

extension TestGenesis {
    /// Builds, validates and commits blocks on top of the store's head, each with a certificate of
    /// 3 of the 4 validators: block h holds two transfers of h wei from alice to carol, so carol
    /// holds h(h+1) after block h and alice's nonce is 2h.
    static func commitBlocks(_ heights: ClosedRange<UInt64>, to store: ChainStore, tree: (UInt64) -> TreeWrite = { _ in .scheduled }) throws
        -> [(executed: ExecutedBlock, certificate: CommitCertificate)] {
        var out: [(executed: ExecutedBlock, certificate: CommitCertificate)] = []
        var lastCommit = try store.certificate(at: store.head.height)
        for h in heights {
            precondition(store.head.height == h - 1)
            let rules = ChainRules(genesis: store.genesis)
            let txs = try [h, h].enumerated().map { i, value in
                try UnsignedTransaction(chainId: chainId, nonce: 2 * (h - 1) + UInt64(i), maxPriorityFeePerGas: 1,
                                        maxFeePerGas: 1 + rules.fees.baseFeePerGas, to: carolAddress, value: UInt256(value))
                    .signed(with: alice)
            }
            let parent = try store.parentState(for: store.head)
            let built = try BlockBuilder.build(
                parent: parent, candidates: txs.map { BlockBuilder.Candidate(transaction: $0, sender: address(alice)) },
                proposer: validators.proposer(height: h, round: 0), timestampMs: store.head.timestampMs + 1_000,
                lastCommit: lastCommit, rules: rules)
            #expect(built.rejected.isEmpty)
            // What a validator does with it, against the same store.
            let executed = try BlockValidator.validate(built.executed.block, parent: parent, rules: rules) { try $0.recoverSender() }
            let certificate = CommitCertificate(precommits: try validatorKeys.prefix(3).map {
                try Vote.sign(chainId: chainId, type: .precommit, height: h, round: 0, blockHash: executed.block.hash, key: $0)
            })
            try store.commit(store.prepareCommit(executed, certificate: certificate), tree: tree(h))
            out.append((executed, certificate))
            lastCommit = certificate
        }
        return out
    }
}
