import Foundation

/// The once-a-second progress line on stderr.
final class Progress: @unchecked Sendable {
    private let state: RunState
    private let nodePid: Int32?
    /// Largest node RSS seen by the once-a-second samples.
    let maxNodeRssBytes = Counter()
    // Ticker-thread state.
    private var lastAccepted = 0
    private var lastCommitted = 0
    private var lastS = 0.0

    init(state: RunState, nodePid: Int32?) {
        self.state = state
        self.nodePid = nodePid
    }

    func tick() {
        let now = state.stopwatch.elapsedS
        let accepted = state.accepted.count
        let committed = state.committed.count
        let dt = max(now - lastS, 1e-3)
        let rss = nodePid.flatMap(ProcessStats.read)?.rssBytes
        if let rss, rss > maxNodeRssBytes.count { maxNodeRssBytes.store(rss) }
        let line = String(format: "%6.1f s  submitted %@ (%@/s)  committed %@ (%@/s)  in flight %@  height %@  pool-full retries %@%@",
                          now, grouped(accepted), grouped(Int(Double(accepted - lastAccepted) / dt)),
                          grouped(committed), grouped(Int(Double(committed - lastCommitted) / dt)),
                          grouped(accepted - committed), grouped(state.height.count), grouped(state.poolFullRetries.count),
                          rss.map { String(format: "  node RSS %.0f MB", Double($0) / 1e6) } ?? "")
        note(line)
        (lastAccepted, lastCommitted, lastS) = (accepted, committed, now)
    }
}
