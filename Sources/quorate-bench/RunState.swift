import Synchronization

/// What the submitters, the block watcher and the progress line share during a run.
final class RunState: Sendable {
    let transfers: SignedTransfers
    let stopwatch: Stopwatch
    let schedule: SubmitSchedule
    let submitNs: TimeTable
    let commitNs: TimeTable

    /// Transfers the node accepted.
    let accepted = Counter()
    /// Bench transfers seen in committed blocks (each counted once).
    let committed = Counter()
    /// Times a transfer was refused with "txpool is full" and sent again.
    let poolFullRetries = Counter()
    let height = Counter()
    /// When the node last answered any call of the run (monotonic ns).
    private let lastAnswerNs = Counter(Int(Clock.monotonicNs()))
    private let failureMessage = Mutex<String?>(nil)

    init(transfers: SignedTransfers, schedule: SubmitSchedule) {
        self.transfers = transfers
        self.schedule = schedule
        stopwatch = Stopwatch()
        submitNs = TimeTable(count: transfers.count)
        commitNs = TimeTable(count: transfers.count)
    }

    /// The first failure wins; every loop stops at the next check.
    func fail(_ message: String) {
        failureMessage.withLock { if $0 == nil { $0 = message } }
    }

    var failure: String? { failureMessage.withLock { $0 } }

    var inFlight: Int { accepted.count - committed.count }

    func answered() { lastAnswerNs.store(Int(Clock.monotonicNs())) }

    var secondsSinceLastAnswer: Double { Double(Int(Clock.monotonicNs()) - lastAnswerNs.count) / 1e9 }
}
