import Foundation

/// What a load run leaves for the figures and the checks.
struct LoadResult {
    let state: RunState
    let watcher: BlockWatcher
    /// Seconds from the start until the last batch was answered.
    let submitEndS: Double
    /// Seconds from the start until the last transfer committed (or the wait ended).
    let drainEndS: Double
    /// Why the run could not complete; nil when every accepted transfer committed.
    let failure: String?
    /// True when a maximum-rate run of a given duration used up its pre-signed transfers early.
    let ranOutEarly: Bool
    /// Largest RSS of each node sampled once a second during the run (empty without node processes).
    let maxNodeRssBytes: [Int]
}

/// How a load run ended: with figures, or abandoned because the node stopped answering (its
/// client threads may still be blocked in a call; the process exits without waiting for them).
enum LoadOutcome {
    case finished(LoadResult)
    case abandoned(reason: String, submitted: Int, committed: Int)
}

/// Submits the pre-signed transfers from several threads while a watcher follows the blocks,
/// then waits (bounded) for every accepted transfer to commit. With several nodes (a testnet)
/// each sender's transfers go to one node (sender index modulo the node count), so every node
/// takes a share of the submissions and sees each of its senders' nonces in order; the watcher
/// follows the first node (a block is final once committed, so any node's view is the chain).
struct LoadRun {
    let options: BenchOptions
    let urls: [String]
    let startHeight: UInt64
    let nodePids: [Int32]
    /// False once the node the bench started has exited.
    let nodeAlive: () -> Bool

    /// After a failure, how long the client threads get to notice it before the run is abandoned.
    static let failureGraceS = 10.0

    func execute(_ transfers: SignedTransfers) -> LoadOutcome {
        let schedule = SubmitSchedule(.init(total: transfers.count, ratePerS: options.ratePerS,
                                            endS: options.transactions == nil ? options.durationS : nil,
                                            batchMax: options.batchMax, windowMax: options.windowMax))
        let state = RunState(transfers: transfers, schedule: schedule)
        let watcher = BlockWatcher(state: state, url: urls[0], startHeight: startHeight, pollIntervalMs: options.pollIntervalMs)
        let progress = Progress(state: state, nodePids: nodePids)
        note("running: \(describeLoad()) against \(urls.joined(separator: ", "))")
        watcher.start()
        let rate = options.ratePerS
        let ticker = Ticker(intervalS: 1) {
            progress.tick()
            progress.warnIfBehind(rate: rate)
        }
        defer { ticker.stop() }
        if let reason = waitForSubmitters(state) { return abandon(reason, state) }
        let submitEndS = state.stopwatch.elapsedS
        if let reason = drain(state, watcher: watcher, submitEndS: submitEndS) { return abandon(reason, state) }
        let drainEndS = state.stopwatch.elapsedS
        watcher.stop()
        progress.tick()
        let ranOut = options.isMaxRate && options.transactions == nil && schedule.handedOut == transfers.count && submitEndS < options.durationS
        return .finished(LoadResult(state: state, watcher: watcher, submitEndS: submitEndS, drainEndS: drainEndS,
                                    failure: state.failure, ranOutEarly: ranOut,
                                    maxNodeRssBytes: progress.maxNodeRssBytes))
    }

    private func abandon(_ reason: String, _ state: RunState) -> LoadOutcome {
        state.fail(reason)
        return .abandoned(reason: state.failure ?? reason, submitted: state.accepted.count, committed: state.committed.count)
    }

    /// Why the run cannot go on although threads are still waiting; nil while it can.
    private func stuck(_ state: RunState, failedAtS: inout Double?) -> String? {
        if Interruption.shared.isInterrupted { return "interrupted" }
        if state.secondsSinceLastAnswer > options.stallTimeoutS {
            return "the node stopped answering JSON-RPC for \(Int(options.stallTimeoutS)) s (--stall-timeout) with \(grouped(state.inFlight)) transfers in flight"
        }
        guard let failure = state.failure else { return nil }
        let now = state.stopwatch.elapsedS
        let since = failedAtS ?? now
        failedAtS = since
        return now - since > LoadRun.failureGraceS ? failure : nil
    }

    func describeLoad() -> String {
        let rate = options.ratePerS.map { "fixed \(rateText($0)) tx/s" } ?? "maximum rate"
        let amount = options.transactions.map { "\(grouped($0)) transfers" } ?? "\(rateText(options.durationS)) s"
        return "\(rate), \(amount), \(options.threads) client threads, batches of up to \(options.batchMax)"
    }

    private func waitForSubmitters(_ state: RunState) -> String? {
        let group = DispatchGroup()
        for _ in 0..<options.threads {
            group.enter()
            let submitter = Submitter(state: state, urls: urls, stallTimeoutS: options.stallTimeoutS)
            Thread {
                submitter.run()
                group.leave()
            }.start()
        }
        var failedAtS: Double?
        while group.wait(timeout: .now() + 0.1) == .timedOut {
            if !nodeAlive() { state.fail("quorate-node exited during the run") }
            if let reason = stuck(state, failedAtS: &failedAtS) { return reason }
        }
        return nil
    }

    private func drain(_ state: RunState, watcher: BlockWatcher, submitEndS: Double) -> String? {
        var failedAtS: Double?
        while state.failure == nil, state.committed.count < state.accepted.count {
            if let reason = stuck(state, failedAtS: &failedAtS) { return reason }
            let pending = state.accepted.count - state.committed.count
            if !nodeAlive() {
                state.fail("quorate-node exited with \(grouped(pending)) transfers not committed")
            } else if state.stopwatch.elapsedS - submitEndS > options.drainTimeoutS {
                state.fail("\(grouped(pending)) accepted transfers were not committed within \(Int(options.drainTimeoutS)) s after submission ended (--drain-timeout)")
            } else if watcher.secondsSinceLastBlock > options.stallTimeoutS {
                state.fail("no new block for \(Int(options.stallTimeoutS)) s with \(grouped(pending)) accepted transfers pending: the node stopped committing")
            }
            Clock.sleep(seconds: 0.01)
        }
        return nil
    }
}
