import Dispatch
import QuorateConsensus
import QuorateCore
import QuorateState
import QuorateStorage

/// A decided block whose batch the commit writer is writing (docs/architecture.md, "Decision
/// (overlapping heights)"). The writer sets `error` before it signals `written`.
final class PendingCommit: @unchecked Sendable {
    let executed: ExecutedBlock
    let certificate: CommitCertificate
    let written = DispatchSemaphore(value: 0)
    var error: Error?

    init(_ executed: ExecutedBlock, certificate: CommitCertificate) {
        self.executed = executed
        self.certificate = certificate
    }

    var height: UInt64 { executed.block.height }
}

/// Overlapping heights: once a block is decided its batch goes to the commit writer, and the next
/// height starts at once on the block's post-state held in memory. Nothing this validator signs
/// at the next height is written or sent before the block's write is in (`persistSynced`), so a
/// crash can never leave a vote of height H+1 on disk above a store that ends at H-1.
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
    var transactionsBeingWritten: Set<Hash32> {
        guard let pending = pendingCommit else { return [] }
        return Set(pending.executed.block.transactions.map(\.hash))
    }

    /// Hands the decided block's batch to the commit writer. One write at a time: the caller
    /// awaited the previous one.
    func beginWrite(_ executed: ExecutedBlock, certificate: CommitCertificate) {
        precondition(pendingCommit == nil, "one block's write at a time, in height order")
        if let next = executed.nextValidators { store.learnDecidedValidators(next, from: executed.block.height + 1) }
        let pending = PendingCommit(executed, certificate: certificate)
        pendingCommit = pending
        commitWriter.async { [self] in
            do {
                try writeToStore(executed, certificate: certificate, sync: true)
                committedToStore(executed)
            } catch {
                pending.error = error
            }
            pending.written.signal()
            executor.async { [self] in
                // Awaited meanwhile by the executor, which then did what follows.
                guard pendingCommit === pending, running.load(ordering: .relaxed) else { return }
                finishWrite(pending)
                startWaitingHeightIfDue()
                drain()
            }
        }
    }

    /// Waits until the decided block's write is in (no-op when none is under way).
    func awaitPendingWrite() {
        if let pending = pendingCommit { finishWrite(pending) }
    }

    private func finishWrite(_ pending: PendingCommit) {
        pending.written.wait()
        pendingCommit = nil
        let block = pending.executed.block
        if let error = pending.error {
            // The next height already runs on this block's post-state, which the store lacks.
            preconditionFailure("cannot write the committed block \(block.height) (\(block.hash)) to the store: \(error); "
                                + "check the data directory's disk and permissions, then restart the node")
        }
        // Peers hear of the height only now: block sync serves what the store holds.
        onCommit?(block.height)
    }
}
