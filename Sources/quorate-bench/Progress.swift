import Foundation

/// The once-a-second progress line on stderr.
final class Progress: @unchecked Sendable {
    private let state: RunState
    // Ticker-thread state.
    private var lastAccepted = 0
    private var lastCommitted = 0
    private var lastS = 0.0

    init(state: RunState) { self.state = state }

    func tick() {
        let now = state.stopwatch.elapsedS
        let accepted = state.accepted.count
        let committed = state.committed.count
        let dt = max(now - lastS, 1e-3)
        let line = String(format: "%6.1f s  submitted %@ (%@/s)  committed %@ (%@/s)  in flight %@  height %@  pool-full retries %@",
                          now, grouped(accepted), grouped(Int(Double(accepted - lastAccepted) / dt)),
                          grouped(committed), grouped(Int(Double(committed - lastCommitted) / dt)),
                          grouped(accepted - committed), grouped(state.height.count), grouped(state.poolFullRetries.count))
        note(line)
        (lastAccepted, lastCommitted, lastS) = (accepted, committed, now)
    }
}
