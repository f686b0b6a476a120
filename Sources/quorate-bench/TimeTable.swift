/// One time (monotonic ns, 0 = none) per transfer. Each slot has a single writer: the submitter
/// that owns the transfer (submit times) or the block watcher (commit times). Readers look only
/// after those threads have been joined, which orders the writes before the reads; hence
/// `@unchecked Sendable` without a lock on the hot path.
final class TimeTable: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<UInt64>

    init(count: Int) {
        slots = .allocate(capacity: max(count, 1))
        slots.initialize(repeating: 0)
    }

    deinit { slots.deallocate() }

    subscript(i: Int) -> UInt64 {
        get { slots[i] }
        set { slots[i] = newValue }
    }

    var count: Int { slots.count }
}
