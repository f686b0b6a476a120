import Synchronization

/// Hands out the next transfers to submit, in index order: at a fixed rate (transfer `i` is due
/// `i / rate` seconds after the start) or as fast as the in-flight window allows.
final class SubmitSchedule: Sendable {
    enum Take: Equatable {
        case batch(Range<Int>)
        case wait(seconds: Double)
        case done
    }

    struct Limits: Sendable {
        let total: Int
        let ratePerS: Double?
        let endS: Double?
        let batchMax: Int
        let windowMax: Int
    }

    let limits: Limits
    private let next = Mutex(0)

    init(_ limits: Limits) { self.limits = limits }

    /// How many transfers have been handed out: they form the prefix `0..<handedOut`.
    var handedOut: Int { next.withLock { $0 } }

    /// `elapsedS` since the start; `committed`: transfers seen in blocks so far.
    func take(elapsedS: Double, committed: Int) -> Take {
        next.withLock { next in
            if next >= limits.total { return .done }
            if let end = limits.endS, elapsedS >= end { return .done }
            var upTo = min(limits.total, next + limits.batchMax, committed + limits.windowMax)
            if let rate = limits.ratePerS {
                upTo = min(upTo, Int((elapsedS * rate).rounded(.down)) + 1)
                if upTo <= next { return .wait(seconds: max(0.0002, min(0.05, Double(next) / rate - elapsedS))) }
            }
            if upTo <= next { return .wait(seconds: 0.001) }
            defer { next = upTo }
            return .batch(next..<upTo)
        }
    }
}
