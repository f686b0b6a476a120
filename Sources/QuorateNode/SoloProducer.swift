import Dispatch
import QuorateCore
import QuorateCrypto
import QuorateState
import QuorateStorage
import Synchronization

/// Block production for a chain with one validator (n = 1), through the same build, execute,
/// certify and commit path that the BFT consensus drives for n > 1: the validator proposes, its
/// own precommit is the 2f+1 quorum, and the block is committed with that certificate.
final class SoloProducer: @unchecked Sendable {
    private let store: ChainStore
    private let mempool: Mempool
    private let rules: ChainRules
    private let key: Secp256k1.PrivateKey
    private let address: Address
    private let clockMs: @Sendable () -> UInt64
    private let executor = DispatchQueue(label: "quorate.executor")
    private let scheduled = Atomic<Bool>(false)
    private let running = Atomic<Bool>(false)

    init(store: ChainStore, mempool: Mempool, rules: ChainRules, key: Secp256k1.PrivateKey,
         clockMs: @escaping @Sendable () -> UInt64) {
        self.store = store
        self.mempool = mempool
        self.rules = rules
        self.key = key
        self.address = Address(key.publicKey.ethereumAddress)
        self.clockMs = clockMs
    }

    func start() {
        running.store(true, ordering: .sequentiallyConsistent)
        transactionsArrived()
        scheduleHeartbeat()
    }

    func stop() {
        running.store(false, ordering: .sequentiallyConsistent)
        executor.sync {}
    }

    /// Coalesces many arrivals into one production pass on the executor.
    func transactionsArrived() {
        guard running.load(ordering: .relaxed) else { return }
        if !scheduled.exchange(true, ordering: .acquiringAndReleasing) {
            executor.async { self.produce(heartbeat: false) }
        }
    }

    private func scheduleHeartbeat() {
        let interval = rules.consensus.heartbeatIntervalMs
        guard interval > 0 else { return }
        executor.asyncAfter(deadline: .now() + .milliseconds(Int(min(interval, 60_000)))) {
            guard self.running.load(ordering: .relaxed) else { return }
            if self.clockMs() >= self.store.head.timestampMs + interval { self.produce(heartbeat: true) }
            self.scheduleHeartbeat()
        }
    }

    private func produce(heartbeat: Bool) {
        scheduled.store(false, ordering: .sequentiallyConsistent)
        guard running.load(ordering: .relaxed) else { return }
        let head = store.head
        let candidates = mempool.executable(limit: Int(rules.consensus.maxBlockTransactions))
        guard !candidates.isEmpty || heartbeat else { return }
        let now = clockMs()
        let earliest = head.timestampMs + rules.consensus.blockIntervalMsMin
        if now < earliest {
            // Too soon after the last block: come back when the minimum interval has passed.
            if !scheduled.exchange(true, ordering: .acquiringAndReleasing) {
                executor.asyncAfter(deadline: .now() + .milliseconds(Int(earliest - now))) {
                    self.produce(heartbeat: heartbeat)
                }
            }
            return
        }
        do {
            try commitNextBlock(head: head, candidates: candidates, timestampMs: max(now, head.timestampMs))
        } catch {
            // A store that cannot write is not a state to go on from: the operator must look.
            preconditionFailure("committing block \(head.height + 1) failed: \(error)")
        }
        if !mempool.executable(limit: 1).isEmpty { transactionsArrived() }
    }

    private func commitNextBlock(head: BlockHeader, candidates: [BlockBuilder.Candidate], timestampMs: UInt64) throws {
        let parent = try store.parentState(for: head)
        let lastCommit = head.height == 0 ? nil : try store.certificate(at: head.height)
        let output = try BlockBuilder.build(parent: parent, candidates: candidates, proposer: address,
                                            timestampMs: timestampMs, lastCommit: lastCommit, rules: rules)
        mempool.remove(output.rejected.map(\.0))
        let block = output.executed.block
        if block.transactions.isEmpty && !candidates.isEmpty && output.rejected.count == candidates.count {
            return  // every candidate was stale; nothing to commit until a heartbeat
        }
        let precommit = try Vote.sign(chainId: rules.chainId, type: .precommit, height: block.height, round: 0,
                                      blockHash: block.hash, key: key)
        let certificate = CommitCertificate(precommits: [precommit])
        try store.commit(output.executed, certificate: certificate)
        let nonces = Dictionary(output.executed.changedAccounts.map { ($0.0, $0.1.nonce) }, uniquingKeysWith: { a, _ in a })
        mempool.removeCommitted(block.transactions, senders: output.executed.senders) { nonces[$0] ?? 0 }
    }
}
