import Foundation

/// How far block sync has come, for logs and `eth_syncing`.
struct SyncProgress: Sendable {
    var startingHeight: UInt64
    var highestHeight: UInt64
    var startedAtMs: UInt64
    var lastLogMs: UInt64 = 0

    /// One progress line: height, target, blocks per second, time left.
    func line(current: UInt64, nowMs: UInt64) -> String {
        let done = Double(current - min(current, startingHeight))
        let seconds = max(Double(nowMs - startedAtMs) / 1000, 0.001)
        let rate = done / seconds
        let left = highestHeight > current && rate > 0 ? Double(highestHeight - current) / rate : 0
        return String(format: "sync: height %llu of %llu, %.1f blocks/s, about %.0f s left", current, highestHeight, rate, left)
    }
}
