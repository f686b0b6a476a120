import Foundation

/// The once-a-second progress line on stderr.
final class Progress: @unchecked Sendable {
    /// A fixed-rate run this far behind its schedule gets a warning (the rate cannot be sustained).
    static let behindWarningS = 1.0

    private let state: RunState
    private let nodePids: [Int32]
    /// Largest RSS of each node seen by the once-a-second samples.
    private let maxRss: [Counter]
    var maxNodeRssBytes: [Int] { maxRss.map(\.count) }
    private var warnedBehind = false
    // Ticker-thread state.
    private var lastAccepted = 0
    private var lastCommitted = 0
    private var lastS = 0.0

    init(state: RunState, nodePids: [Int32]) {
        self.state = state
        self.nodePids = nodePids
        maxRss = nodePids.map { _ in Counter() }
    }

    /// A fixed-rate run whose in-flight transfers exceed this many seconds of the rate is not
    /// committing as fast as it submits: a backlog is building.
    static let backlogWarningS = 3.0
    private var warnedBacklog = false

    /// Warns once when a fixed-rate run has fallen `behindWarningS` behind its schedule, and once
    /// when its uncommitted transfers exceed `backlogWarningS` of the rate.
    func warnIfBehind(rate: Double?) {
        guard let rate else { return }
        if !warnedBacklog, Double(state.inFlight) > rate * Progress.backlogWarningS {
            warnedBacklog = true
            note(String(format: "warning: %@ transfers submitted and not committed, over %.0f s of the --rate %@: the node (or network) commits slower than the rate; latencies will grow with the backlog",
                        grouped(state.inFlight), Progress.backlogWarningS, rateText(rate)))
        }
        guard !warnedBehind else { return }
        let limits = state.schedule.limits
        let now = min(state.stopwatch.elapsedS, limits.endS ?? .infinity)  // nothing is due after the end
        let due = min(Double(limits.total), (now * rate).rounded(.down))
        let behindS = (due - Double(state.schedule.handedOut)) / rate
        guard behindS > Progress.behindWarningS else { return }
        warnedBehind = true
        note(String(format: "warning: %.1f s behind the --rate %@ schedule (%@ transfers due, %@ handed out): the node or the bench cannot sustain this rate; the result will say so",
                    behindS, rateText(rate), grouped(Int(due)), grouped(state.schedule.handedOut)))
    }

    func tick() {
        let now = state.stopwatch.elapsedS
        let accepted = state.accepted.count
        let committed = state.committed.count
        let dt = max(now - lastS, 1e-3)
        let samples = nodePids.map { ProcessStats.read(pid: $0)?.rssBytes }
        for (i, rss) in samples.enumerated() { if let rss, rss > maxRss[i].count { maxRss[i].store(rss) } }
        let rss = samples.compactMap { $0 }.max()
        let rssLabel = nodePids.count > 1 ? "largest node RSS" : "node RSS"
        let line = String(format: "%6.1f s  submitted %@ (%@/s)  committed %@ (%@/s)  in flight %@  height %@  pool-full retries %@%@",
                          now, grouped(accepted), grouped(Int(Double(accepted - lastAccepted) / dt)),
                          grouped(committed), grouped(Int(Double(committed - lastCommitted) / dt)),
                          grouped(accepted - committed), grouped(state.height.count), grouped(state.poolFullRetries.count),
                          rss.map { String(format: "  %@ %.0f MB", rssLabel, Double($0) / 1e6) } ?? "")
        note(line)
        (lastAccepted, lastCommitted, lastS) = (accepted, committed, now)
    }
}
