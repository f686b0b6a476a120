import Foundation

/// Monotonic time for rates and latencies; wall time only to compare with block timestamps.
enum Clock {
    static func monotonicNs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    static func wallMs() -> UInt64 {
        UInt64(Date().timeIntervalSince1970 * 1000)
    }

    static func sleep(seconds: Double) {
        guard seconds > 0 else { return }
        usleep(UInt32(min(seconds, 3_600) * 1_000_000))
    }
}

/// Seconds since a fixed monotonic origin.
struct Stopwatch: Sendable {
    let originNs: UInt64

    init() { originNs = Clock.monotonicNs() }

    var elapsedS: Double { Double(Clock.monotonicNs() &- originNs) / 1e9 }

    func seconds(atNs ns: UInt64) -> Double { Double(Int64(bitPattern: ns &- originNs)) / 1e9 }
}
