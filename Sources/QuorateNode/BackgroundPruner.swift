import Dispatch
import Foundation
import QuorateCLI
import QuorateStorage
import Synchronization

/// Runs pruning off the consensus executor: every `intervalMs` it deletes what fell out of the
/// retention windows, in bounded batches (each holds the store's commit lock only briefly), until
/// nothing is left, then waits for the next tick.
final class BackgroundPruner: @unchecked Sendable {
    static let intervalMs = 500

    private let store: ChainStore
    private let stateRetention: UInt64?
    private let blockRetention: UInt64?
    private let queue = DispatchQueue(label: "quorate.pruner", qos: .utility)
    private let running = Atomic<Bool>(false)
    private let logger: Logger

    init(store: ChainStore, stateRetention: UInt64?, blockRetention: UInt64?, logger: Logger) {
        self.store = store
        self.logger = logger
        self.stateRetention = stateRetention
        self.blockRetention = blockRetention
    }

    var isEnabled: Bool { stateRetention != nil || blockRetention != nil }

    func start() {
        guard isEnabled else { return }
        running.store(true, ordering: .sequentiallyConsistent)
        queue.async { self.tick() }
    }

    func stop() {
        running.store(false, ordering: .sequentiallyConsistent)
        queue.sync {}
    }

    private func tick() {
        guard running.load(ordering: .relaxed) else { return }
        do {
            if let stateRetention {
                while running.load(ordering: .relaxed), try store.pruneStateStep(retention: stateRetention) > 0 {}
            }
            if let blockRetention {
                while running.load(ordering: .relaxed), try store.pruneBlocksStep(retention: blockRetention) > 0 {}
            }
        } catch {
            // The store refused a write (a full disk): stop pruning rather than retry in a loop;
            // the node's own commits report the same failure.
            logger.warn("node", "pruning stopped: \(error)")
            return
        }
        queue.asyncAfter(deadline: .now() + .milliseconds(Self.intervalMs)) { self.tick() }
    }
}
