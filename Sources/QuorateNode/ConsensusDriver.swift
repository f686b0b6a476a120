import Dispatch
import Foundation
import QuorateConsensus
import QuorateCore
import QuorateCrypto
import QuorateRPC
import QuorateState
import QuorateStorage
import Synchronization

/// Runs the consensus state machine on one serial executor and carries out each `Ready` in the
/// order it demands: persist (synced), send, schedule, commit, then the requests (build or validate
/// a block), whose answers go back in as inputs.
///
/// Inputs are queued and drained in a loop, never by recursion, so a long run of heights does
/// not grow the stack.
final class ConsensusDriver: @unchecked Sendable {
    /// How far ahead of this node's clock a proposed block's timestamp may be.
    static let maxTimestampDriftMs = ProposalClock.maxTimestampDriftMs
    /// Under load (the last block this node committed held at least `busyBlockTransactions`),
    /// the next height waits until `busyIntervalMs` after the head's timestamp, unless a full
    /// block already waits: each block costs about 4 ms of CPU whatever it holds
    /// (docs/benchmarks.md), so under load fewer, larger blocks commit more. A node-local
    /// policy, not a chain rule; at low rates blocks hold a few transactions and never wait.
    static let busyBlockTransactions = 100
    static let busyIntervalMs: UInt64 = 20

    let store: ChainStore
    private let mempool: Mempool
    private let rules: ChainRules
    private let transport: ConsensusTransport
    private let clockMs: @Sendable () -> UInt64
    let delays: DelayedWork
    let telemetry: NodeTelemetry
    private let address: Address?
    let executor = DispatchQueue(label: "quorate.consensus")
    /// Writes each decided block's batch while the next height runs (`PendingCommit`).
    let commitWriter = DispatchQueue(label: "quorate.commit-writer")
    private let wakeScheduled = Atomic<Bool>(false)
    let running = Atomic<Bool>(false)
    private let publishedStatus: Mutex<ConsensusStatus?> = Mutex(nil)

    // Executor-only state.
    private var machine: ConsensusMachine
    private var inputs: [ConsensusInput] = []
    private var draining = false
    /// Blocks of the current height this node built or validated, by hash: commit reuses their
    /// execution instead of running it again.
    var executed: [Hash32: ExecutedBlock] = [:]
    /// The decided block while its batch is written (overlapping heights).
    var pendingCommit: PendingCommit?
    /// The height whose write the executor is blocked on, 0 when it is not (for tests and
    /// diagnostics: readable from any thread).
    let waitingForWriteOfHeight = Atomic<UInt64>(0)
    /// Tests only, set before `start`: runs first in each decided block's write, on whichever
    /// thread runs it, so that a test can hold the write there.
    var beforeCommitWrite: (@Sendable () -> Void)?
    /// The next height, while it waits for transactions (no empty blocks by default).
    private var waitingHeight: UInt64?
    private var lastBlockTransactionCount = 0
    /// How long building a proposal may execute transactions (docs/architecture.md).
    let proposalBuildMsMax: UInt64

    /// Told after each commit (the network announces the height) and when the machine wants
    /// blocks from a validator ahead of it. Set before `start`.
    var onCommit: (@Sendable (UInt64) -> Void)?
    var onFetchBlocks: (@Sendable (Address, UInt64) -> Void)?
    /// Told when a validator behind this node needs blocks from a height this node has.
    var onSyncPeer: (@Sendable (Address, UInt64) -> Void)?

    init(store: ChainStore, mempool: Mempool, rules: ChainRules, key: Secp256k1.PrivateKey?,
         transport: ConsensusTransport, clockMs: @escaping @Sendable () -> UInt64, telemetry: NodeTelemetry,
         proposalBuildMsMax: UInt64? = nil, delays: DelayedWork = DispatchDelays()) {
        self.delays = delays
        self.store = store
        self.telemetry = telemetry
        self.mempool = mempool
        self.rules = rules
        self.transport = transport
        self.clockMs = clockMs
        self.address = key.map { Address($0.publicKey.ethereumAddress) }
        self.proposalBuildMsMax = proposalBuildMsMax ?? Self.defaultProposalBuildMsMax(rules.consensus)
        machine = ConsensusMachine(config: ConsensusConfig(chainId: rules.chainId, params: rules.consensus, signingKey: key))
    }

    var status: ConsensusStatus? { publishedStatus.withLock { $0 } }

    func start() throws {
        let restoring = try store.consensusState().map { try HardState(decoding: $0) }
        if let restoring, restoring.height > store.head.height + 1 {
            // Votes of a height above the next one, on a chain that ends lower: blocks this
            // validator saw decided are gone. Starting lower could sign those heights again.
            throw ConsensusStartError(storedHeight: restoring.height, headHeight: store.head.height)
        }
        running.store(true, ordering: .sequentiallyConsistent)
        executor.async {
            let next = self.store.head.height + 1
            if let restoring, restoring.height == next {
                // Crashed inside this height: resume at once, re-sending what was signed.
                self.telemetry.heightStarted(next)
                self.enqueue(.startHeight(next, validators: self.validators(at: next), restoring: restoring))
            } else {
                self.waitingHeight = next
                self.startWaitingHeightIfDue()
            }
            self.drain()
        }
        // Readers (quorate_status) see a status from the moment start returns.
        executor.sync {}
    }

    func stop() {
        running.store(false, ordering: .sequentiallyConsistent)
        executor.sync {}
        // A decided block's write finishes before the store is closed (whoever claimed it),
        // and the pending block, which holds its write and so this driver, is let go.
        executor.sync { awaitPendingWriteQuietly() }
    }

    /// Runs `body` on the executor, before `start`: blocks that block sync delivers meanwhile wait
    /// behind it (state sync replaces the head under them; those it passed are skipped).
    func runExclusively<R>(_ body: () throws -> R) throws -> R {
        precondition(!running.load(ordering: .relaxed), "only before the machine starts")
        return try executor.sync(execute: body)
    }

    /// New transactions may let a waiting height start; many arrivals coalesce into one wake-up.
    func transactionsArrived() {
        guard running.load(ordering: .relaxed), !wakeScheduled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        executor.async {
            self.wakeScheduled.store(false, ordering: .sequentiallyConsistent)
            self.startWaitingHeightIfDue()
            self.drain()
        }
    }

    /// A proposal or vote from a peer.
    func receive(_ message: ConsensusMessage) {
        executor.async {
            guard self.running.load(ordering: .relaxed) else { return }
            // Another validator is already at the waiting height: it saw transactions we have not.
            if let waiting = self.waitingHeight, message.height == waiting { self.startHeight(waiting) }
            self.enqueue(.message(message))
            self.drain()
        }
    }

    // MARK: the loop

    func enqueue(_ input: ConsensusInput) { inputs.append(input) }

    func drain() {
        guard !draining else { return }
        draining = true
        defer { draining = false }
        while !inputs.isEmpty, running.load(ordering: .relaxed) {
            let input = inputs.removeFirst()
            carryOut(StageCPU.measure(.consensus) {
                let ready = machine.handle(input)
                if case .message(let message) = input { noteHeard(message, refusal: ready.refusal) }
                return ready
            })
        }
        // Nothing more to overlap with: the executor writes the decided block itself rather
        // than wait for the commit writer to get a core (clients see it only once written).
        if running.load(ordering: .relaxed) { awaitPendingWrite() }
        let snapshot = machine.status
        publishedStatus.withLock { $0 = snapshot }
        telemetry.observe(snapshot)
    }

    /// Tells the validators' activity about a message the machine took (so its signature was
    /// checked), or about a precommit that came after its height was decided: those are checked
    /// here, since a certificate holds only the first 2f+1 and the rest show who is alive.
    private func noteHeard(_ message: ConsensusMessage, refusal: Refusal?) {
        switch refusal {
        case nil:
            telemetry.heard(message)
        case .heightBehind?, .alreadyDecided?:
            let head = decidedHead.height
            guard case .vote(let vote) = message, vote.height <= head, vote.height + 1 >= head,
                  (try? store.validators(at: vote.height))?.contains(vote.validator) == true,
                  vote.hasValidSignature(chainId: rules.chainId) else { return }
            telemetry.heard(message)
        default:
            break
        }
    }

    private func carryOut(_ ready: Ready) {
        ReadyExecutor(persistence: self, transport: transport, timers: self, application: self).carryOut(ready)
    }

    // MARK: heights

    private func validators(at height: UInt64) -> ValidatorSet {
        do { return try store.validators(at: height) } catch {
            preconditionFailure("no validator set for height \(height): \(error)")
        }
    }

    private func startHeight(_ height: UInt64) {
        waitingHeight = nil
        executed.removeAll()
        telemetry.heightStarted(height)
        enqueue(.startHeight(height, validators: validators(at: height), restoring: nil))
    }

    /// A height starts when transactions wait and the minimum interval has passed, or when the
    /// heartbeat interval has passed without a block.
    private func startWaitingHeightIfDue() {
        guard let height = waitingHeight else { return }
        let head = decidedHead
        let now = clockMs()
        let params = rules.consensus
        // The pool still holds the block being written; those transactions wait for nothing.
        let waiting = mempool.count - transactionsBeingWritten.count
        let busy = lastBlockTransactionCount >= Self.busyBlockTransactions && UInt64(max(0, waiting)) < params.maxBlockTransactions
        let earliest = head.timestampMs + max(params.blockIntervalMsMin, busy ? Self.busyIntervalMs : 0)
        let heartbeatDue = params.heartbeatIntervalMs > 0 && now >= head.timestampMs + params.heartbeatIntervalMs
        let hasWork = hasExecutableWork()
        if heartbeatDue || (hasWork && now >= earliest) {
            startHeight(height)
            return
        }
        var wakeAt: UInt64?
        if hasWork { wakeAt = earliest }
        if params.heartbeatIntervalMs > 0 { wakeAt = min(wakeAt ?? .max, head.timestampMs + params.heartbeatIntervalMs) }
        if let wakeAt {
            delays.run(afterMs: wakeAt - min(wakeAt, now) + 1, on: executor) {
                guard self.running.load(ordering: .relaxed), self.waitingHeight == height else { return }
                self.startWaitingHeightIfDue()
                self.drain()
            }
        }
    }

    /// The decided block goes to the commit writer and the next height may start at once on its
    /// post-state (`ConsensusDriver+PendingCommit`); its transactions leave the pool, and peers
    /// hear of it, once its write is in.
    func commit(_ committed: CommittedBlock) {
        let block = committed.block
        // Writes go one at a time, in height order.
        awaitPendingWrite()
        let previousTimestampMs = store.head.timestampMs
        do {
            let result = try executed[block.hash] ?? StageCPU.measure(.stateUpdate) { try validate(block, checkClock: false) }
            telemetry.committed(block, certificate: committed.certificate, validators: validators(at: block.height),
                                previousTimestampMs: previousTimestampMs)
            beginWrite(result, certificate: committed.certificate)
        } catch {
            // 2f+1 validators certified a block this node cannot apply: its state has diverged.
            preconditionFailure("cannot apply the committed block \(block.height) (\(block.hash)): \(error)")
        }
        waitingHeight = block.height + 1
        lastBlockTransactionCount = block.transactions.count
        executed.removeAll()
        startWaitingHeightIfDue()
    }

    /// Whether the pool holds a transaction the next block could take.
    private func hasExecutableWork() -> Bool { !nextBlockCandidates(limit: 1).isEmpty }

    /// The pool's executable transactions the next block may take, at most `limit`: those of the
    /// block being written are still pooled, so as many more are asked for and left out.
    private func nextBlockCandidates(limit: Int) -> [BlockBuilder.Candidate] {
        let beingWritten = transactionsBeingWritten
        if beingWritten.isEmpty { return mempool.executable(limit: limit) }
        return Array(mempool.executable(limit: limit + beingWritten.count).lazy
            .filter { !beingWritten.contains($0.transaction.hash) }.prefix(limit))
    }

    /// Encodes the block's batch (receipts and indexes) and writes it, moving the head. Touches no
    /// executor-only state: it runs on the commit writer, and block sync runs it on its writer
    /// queue (`SyncedBlockPipeline`).
    /// `tree`: how the block's state tree reaches the disk (`TreeWrite`; block sync's differs).
    func writeToStore(_ result: ExecutedBlock, certificate: CommitCertificate, sync: Bool, tree: TreeWrite = .scheduled) throws {
        let started = DispatchTime.now().uptimeNanoseconds
        let prepared = StageCPU.measure(.receiptsIndex) { store.prepareCommit(result, certificate: certificate) }
        try StageCPU.measure(.storeWrite) { try store.commit(prepared, sync: sync, tree: tree) }
        telemetry.metrics.observe("quorate_store_write_seconds", [("durability", sync ? "synced" : "unsynced")],
                                  Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
    }

    /// After the write: the pool (which has its own lock) drops the block's transactions, and
    /// validator-set changes are logged.
    func committedToStore(_ result: ExecutedBlock) {
        let block = result.block
        StageCPU.measure(.stateUpdate) {
            let nonces = Dictionary(result.changedAccounts.map { ($0.0, $0.1.nonce) }, uniquingKeysWith: { a, _ in a })
            mempool.removeCommitted(block.transactions, senders: result.senders) { nonces[$0] ?? 0 }
        }
        for change in result.passedChanges {
            telemetry.logger.info("consensus", "validator set: \(change) passed in block \(block.height); in force from height \(block.height + 1)")
        }
        if let next = result.nextValidators {
            telemetry.logger.info("consensus", "validator set from height \(block.height + 1): \(next.count) validators (\(next.validators.map(\.address.checksummed).joined(separator: ", ")))")
        }
    }

    /// Blocks from block sync, in height order: each must extend the head, carry a certificate
    /// that verifies against its height's validators, and execute to the roots in its header.
    /// Each block's write overlaps the next block's execution (`SyncedBlockPipeline`).
    /// `done` gets how many were applied and the first error, if a block was refused.
    /// `senders` were recovered ahead (on all cores) by the caller; others are recovered here.
    /// `highestHeight` is the best peer's: the heights far below it are passed
    /// (`ChainStore.treeWriteForSyncedBlock`), the last ones written whole.
    func applySyncedBlocks(_ pairs: [(Block, CommitCertificate)], senders: [Hash32: Address] = [:], highestHeight: UInt64 = 0,
                           done: @escaping @Sendable (Int, Error?) -> Void) {
        executor.async {
            // The blocks extend the store's head: the decided block's write goes first.
            self.awaitPendingWrite()
            let pipeline = SyncedBlockPipeline(store: self.store, verify: { block, certificate, parent in
                // Certificate check and execution: one path shared with import (CertifiedBlockCheck).
                try StageCPU.measure(.blockSync) {
                    try CertifiedBlockCheck.verify(block, certificate: certificate, parent: parent, rules: self.rules) { tx in
                        try senders[tx.hash] ?? self.mempool.sender(of: tx.hash) ?? tx.recoverSender()
                    }
                }
            }, write: { [self] result, certificate, sync in
                let tree = store.treeWriteForSyncedBlock(at: result.block.height, highestHeight: highestHeight)
                try writeToStore(result, certificate: certificate, sync: sync, tree: tree)
                committedToStore(result)
            }, written: { result, certificate in
                self.telemetry.synced(result.block, certificate: certificate)
            })
            let (applied, failure) = pipeline.apply(pairs)
            if applied > 0 {
                // The machine did not decide these heights: move it to the new head's next height.
                self.executed.removeAll()
                self.startHeight(self.store.head.height + 1)
                self.onCommit?(self.store.head.height)
                self.drain()
            }
            done(applied, failure)
        }
    }

    // MARK: requests

    func build(height: UInt64) -> Block {
        let head = decidedHead
        precondition(head.height + 1 == height, "consensus builds on the decided head")
        do {
            let limit = Int(rules.consensus.maxBlockTransactions)
            let candidates = nextBlockCandidates(limit: limit)
            let lastCommit = try decidedHeadCertificate()
            let output = try BlockBuilder.build(parent: try decidedParentState(), candidates: candidates,
                                                proposer: address!, timestampMs: max(clockMs(), head.timestampMs),
                                                lastCommit: lastCommit, rules: rules, stopAdding: buildDeadline())
            mempool.remove(output.rejected.map(\.0))
            executed[output.executed.block.hash] = output.executed
            return output.executed.block
        } catch {
            preconditionFailure("cannot build block \(height) on the committed head: \(error)")
        }
    }

    /// The default of `proposalBuildMsMax`: a quarter of the propose timeout, so that every
    /// validator, executing the block again, still prevotes well before that timeout.
    static func defaultProposalBuildMsMax(_ params: ConsensusParams) -> UInt64 { max(1, params.timeoutProposeMs / 4) }

    /// True once this proposal's build has run `proposalBuildMsMax` on the node's clock (0: never).
    private func buildDeadline() -> () -> Bool {
        guard proposalBuildMsMax > 0 else { return { false } }
        let deadline = clockMs() + proposalBuildMsMax
        return { [clockMs] in clockMs() >= deadline }
    }

    func validate(_ block: Block, checkClock: Bool = true) throws -> ExecutedBlock {
        // A certified block from sync may be old; only a proposal is held to this node's clock.
        guard !checkClock || block.header.timestampMs <= clockMs() + ConsensusDriver.maxTimestampDriftMs else {
            throw BlockValidationError("block \(block.height) is timestamped more than \(ConsensusDriver.maxTimestampDriftMs) ms ahead of this node's clock")
        }
        // Checked once on mempool entry (asked for under one lock); only transactions this node
        // never saw are recovered here.
        let pooled = mempool.senders(of: block.transactions)
        return try BlockValidator.validate(block, parent: try decidedParentState(), rules: rules) { tx in
            try pooled[tx.hash] ?? tx.recoverSender()
        }
    }
}

/// The store's consensus state is ahead of its chain by more than one height.
struct ConsensusStartError: Error, CustomStringConvertible {
    let storedHeight: UInt64
    let headHeight: UInt64

    var description: String {
        "the stored consensus state is for height \(storedHeight) but the block store ends at height \(headHeight): "
            + "blocks this validator saw decided are missing; restore the data directory from one backup or resync it"
    }
}
