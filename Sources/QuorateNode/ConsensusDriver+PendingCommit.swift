import Dispatch
import QuorateConsensus
import QuorateCore
import QuorateState
import QuorateStorage
import Synchronization

/// A decided block whose batch is being written (docs/architecture.md, "Decision (overlapping
/// heights)"). The write runs once, on whichever thread claims it first: the commit writer, or
/// the executor when it needs the block on disk before the writer got to it (on a busy machine
/// the writer thread may wait for a core, and the executor would only wait for it). `error` is
/// set before `written` is signalled.
final class PendingCommit: @unchecked Sendable {
    let executed: ExecutedBlock
    let certificate: CommitCertificate
    /// The block's transactions: pooled until the write is in, never the next block's candidates.
    let transactionHashes: Set<Hash32>
    let written = DispatchSemaphore(value: 0)
    var error: Error?
    private let claimed = Atomic<Bool>(false)
    private let write: @Sendable () throws -> Void

    init(_ executed: ExecutedBlock, certificate: CommitCertificate, write: @escaping @Sendable () throws -> Void) {
        self.executed = executed
        self.certificate = certificate
        self.write = write
        transactionHashes = Set(executed.block.transactions.map(\.hash))
    }

    var height: UInt64 { executed.block.height }

    /// Runs the write unless another thread claimed it; returns whether this call ran it.
    @discardableResult
    func writeIfUnclaimed() -> Bool {
        guard !claimed.exchange(true, ordering: .acquiringAndReleasing) else { return false }
        do { try write() } catch { self.error = error }
        written.signal()
        return true
    }
}

/// Overlapping heights: once a block is decided its batch goes to the commit writer, and the next
/// height starts at once on the block's post-state held in memory: the proposer builds the next
/// block, a validator executes a proposal already received. Nothing this validator signs at the
/// next height is written or sent before the block's write is in (`persistSynced`), so a crash
/// can never leave a vote of height H+1 on disk above a store that ends at H-1; and once the
/// executor has nothing else to do it writes the block itself if the writer has not begun.
extension ConsensusDriver {
    /// The block consensus builds on: the decided one while its write is under way.
    var decidedHead: BlockHeader { pendingCommit?.executed.block.header ?? store.head }

    /// The post-state the next height executes on.
    func decidedParentState() throws -> ParentState {
        if let pending = pendingCommit { return try store.parentState(pending: pending.executed) }
        return try store.parentState(for: store.head)
    }

    /// The certificate of the decided head (the next block's `lastCommit`); nil at genesis.
    func decidedHeadCertificate() throws -> CommitCertificate? {
        if let pending = pendingCommit { return pending.certificate }
        let head = store.head
        return head.height == 0 ? nil : try store.certificate(at: head.height)
    }

    /// The transactions of the block being written: still pooled until the write is in, and
    /// never candidates for the next block.
    var transactionsBeingWritten: Set<Hash32> { pendingCommit?.transactionHashes ?? [] }

    /// Hands the decided block's batch to the commit writer. One write at a time: the caller
    /// awaited the previous one.
    func beginWrite(_ executed: ExecutedBlock, certificate: CommitCertificate) {
        precondition(pendingCommit == nil, "one block's write at a time, in height order")
        if let next = executed.nextValidators { store.learnDecidedValidators(next, from: executed.block.height + 1) }
        let hold = beforeCommitWrite
        let pending = PendingCommit(executed, certificate: certificate) { [self] in
            hold?()
            do {
                try writeToStore(executed, certificate: certificate, sync: true)
                committedToStore(executed)
                telemetry.stored(executed.block)
            } catch {
                // Said here too: after `stop()` nothing awaits the write.
                telemetry.logger.error("consensus", "cannot write the committed block \(executed.block.height) to the store: \(error)")
                throw error
            }
        }
        pendingCommit = pending
        // Whoever claims it first writes it; the executor finishes it (`finishWrite`) at the
        // latest when its drain ends, so the writer never hands back to the executor.
        commitWriter.async { pending.writeIfUnclaimed() }
    }

    /// Waits until the decided block's write is in (no-op when none is under way).
    func awaitPendingWrite() {
        if let pending = pendingCommit { finishWrite(pending) }
    }

    /// At stop: the write finishes, without telling peers (the network is stopped); a failed
    /// write was logged by the write itself.
    func awaitPendingWriteQuietly() {
        guard let pending = pendingCommit else { return }
        completeWrite(pending)
    }

    private func finishWrite(_ pending: PendingCommit) {
        completeWrite(pending)
        let block = pending.executed.block
        if let error = pending.error {
            // The next height already runs on this block's post-state, which the store lacks.
            preconditionFailure("cannot write the committed block \(block.height) (\(block.hash)) to the store: \(error); "
                                + "check the data directory's disk and permissions, then restart the node")
        }
        // Peers hear of the height only now: block sync serves what the store holds.
        onCommit?(block.height)
    }

    /// Runs the write here unless the writer has it, waits for it, and clears the slot.
    private func completeWrite(_ pending: PendingCommit) {
        waitingForWriteOfHeight.store(pending.height, ordering: .sequentiallyConsistent)
        if !pending.writeIfUnclaimed() { pending.written.wait() }
        waitingForWriteOfHeight.store(0, ordering: .sequentiallyConsistent)
        pendingCommit = nil
    }
}
