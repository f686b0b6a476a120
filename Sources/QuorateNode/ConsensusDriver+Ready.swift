import Dispatch
import QuorateConsensus
import QuorateCore
import QuorateRPC
import QuorateState
import QuorateStorage

/// Work deferred by a number of milliseconds onto a queue: `DispatchQueue.asyncAfter` in
/// production; a test moves a manual clock and runs what fell due.
public protocol DelayedWork: Sendable {
    func run(afterMs: UInt64, on queue: DispatchQueue, _ work: @escaping @Sendable () -> Void)
}

public struct DispatchDelays: DelayedWork {
    public init() {}
    public func run(afterMs: UInt64, on queue: DispatchQueue, _ work: @escaping @Sendable () -> Void) {
        queue.asyncAfter(deadline: .now() + .milliseconds(Int(min(afterMs, 3_600_000))), execute: work)
    }
}

/// What the production driver injects into the `ReadyExecutor`: the store's synced write, timers
/// on its executor queue, and its block building, validation and commit.
extension ConsensusDriver: HardStatePersistence, TimerScheduler, ReadyApplication {
    func persistSynced(_ state: HardState) -> Bool {
        if pendingCommit != nil {
            // Skipped (see `HardState.holdsNothingSigned`); anything signed waits for the decided
            // block to be on disk first.
            if state.holdsNothingSigned { return true }
            awaitPendingWrite()
        }
        do { try store.saveConsensusState(state.encoded()) } catch {
            // Sending without the hard state on disk could make this validator sign twice after a crash.
            preconditionFailure("cannot persist the consensus state: \(error)")
        }
        return true
    }

    func schedule(_ timeout: TimeoutRequest) {
        delays.run(afterMs: timeout.durationMs, on: executor) {
            guard self.running.load(ordering: .relaxed) else { return }
            self.enqueue(.timeout(timeout))
            self.drain()
        }
    }

    func willSend(_ outbound: OutboundMessage) { telemetry.heard(outbound.message) }

    func buildBlock(height: UInt64, round: UInt32) {
        telemetry.proposalMade()
        enqueue(.blockBuilt(StageCPU.measure(.proposalBuild) { build(height: height) }, height: height, round: round))
    }

    func validateBlock(_ block: Block) {
        let valid: Bool
        do {
            if executed[block.hash] == nil { executed[block.hash] = try StageCPU.measure(.proposalValidation) { try validate(block) } }
            valid = true
        } catch {
            telemetry.logger.warn("consensus", "refusing proposed block: \(error)", [("height", String(block.height)), ("proposer", block.header.proposer.checksummed)])
            telemetry.proposalRefused()
            valid = false
        }
        enqueue(.blockValidated(block.hash, valid: valid))
    }

    func syncPeer(_ validator: Address, height: UInt64) { onSyncPeer?(validator, height) }

    func fetchBlocks(from validator: Address, height: UInt64) { onFetchBlocks?(validator, height) }
}
