import Dispatch
import QuorateCore
import QuorateState
import QuorateStorage

/// Block sync's apply loop (docs/architecture.md, "Block sync"): on the consensus executor, each
/// delivered block that extends the chain has its certificate checked against its height's
/// validators and is executed against its parent's post-state; its batch is then written on a
/// writer queue while the next block is checked and executed against that post-state held in
/// memory (`ChainStore.parentState(pending:)`).
///
/// At most one block is being written: the next block's write starts only after the previous one
/// finished, so blocks reach the store in height order, one batch each, and the head (what every
/// reader sees) moves only when a write is in. A refused block stops the loop at the block before
/// it, whose write is awaited; nothing after it is written. A failed write stops the node: the
/// executor already holds the next block's execution on top of a state the store does not have.
struct SyncedBlockPipeline {
    let store: ChainStore
    /// Checks the block's certificate against `parent.nextValidators` and executes it on `parent`.
    let verify: (Block, CommitCertificate, ParentState) throws -> ExecutedBlock
    /// Writes one block's batch, synced when told; runs on the writer queue.
    let write: @Sendable (ExecutedBlock, CommitCertificate, _ sync: Bool) throws -> Void
    /// After a block's write is in; runs on the caller's thread (the executor).
    let written: (ExecutedBlock, CommitCertificate) -> Void

    /// One block's write: its error, readable once `done` is signalled.
    private final class Write: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        var error: Error?
    }

    private struct InFlight {
        let executed: ExecutedBlock
        let certificate: CommitCertificate
        let write: Write
    }

    /// Applies `pairs` in height order, skipping those that do not extend the chain; the last
    /// delivered block is written synced. Returns how many were applied and the error that
    /// refused the next one. Every write has finished when it returns.
    func apply(_ pairs: [(Block, CommitCertificate)]) -> (applied: Int, failure: Error?) {
        let writer = DispatchQueue(label: "quorate.sync-writer"), writeBlock = write
        let last = pairs.last?.0.height
        var inFlight: InFlight?
        var applied = 0
        var failure: Error?
        for (block, certificate) in pairs where block.height == (inFlight?.executed.block.height ?? store.head.height) + 1 {
            let executed: ExecutedBlock
            do {
                let parent = try inFlight.map { try store.parentState(pending: $0.executed) } ?? store.parentState(for: store.head)
                executed = try verify(block, certificate, parent)
            } catch {
                failure = error
                break
            }
            if let previous = inFlight {
                finish(previous)
                applied += 1
            }
            let write = Write(), sync = block.height == last
            writer.async {
                do { try writeBlock(executed, certificate, sync) } catch { write.error = error }
                write.done.signal()
            }
            inFlight = InFlight(executed: executed, certificate: certificate, write: write)
        }
        if let previous = inFlight {
            finish(previous)
            applied += 1
        }
        return (applied, failure)
    }

    private func finish(_ block: InFlight) {
        block.write.done.wait()
        if let error = block.write.error {
            preconditionFailure("block sync cannot write block \(block.executed.block.height) to the store: \(error); "
                                + "check the data directory's disk and permissions, then restart the node")
        }
        written(block.executed, block.certificate)
    }
}
