import Foundation
import Synchronization

/// Calls `tick` about every `intervalS` on its own thread until `stop()`; for progress lines.
final class Ticker: Sendable {
    private let stopped = Flag()
    private let stopping = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)

    init(intervalS: Double, _ tick: @escaping @Sendable () -> Void) {
        let thread = Thread { [stopped, done] in
            var next = Clock.monotonicNs() + UInt64(intervalS * 1e9)
            while !stopped.isSet {
                usleep(20_000)
                if Clock.monotonicNs() >= next {
                    tick()
                    next += UInt64(intervalS * 1e9)
                }
            }
            done.signal()
        }
        thread.start()
    }

    func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        stopped.set()
        done.wait()
    }
}

/// One line on stderr, for progress and notices (stdout carries the result table).
func note(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// A rate as people write it: 10, 12,500 or 0.5.
func rateText(_ v: Double) -> String {
    v == v.rounded() && abs(v) < 1e15 ? grouped(Int(v)) : String(format: "%.2f", v)
}

func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (n < 0 ? "-" : "") + out
}
