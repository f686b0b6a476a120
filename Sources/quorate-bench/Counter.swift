import Synchronization

/// A shared count that closures can capture (an `Atomic` itself cannot be copied into one).
final class Counter: Sendable {
    private let value: Atomic<Int>

    init(_ initial: Int = 0) { value = Atomic(initial) }

    var count: Int { value.load(ordering: .acquiring) }

    func add(_ n: Int) { value.add(n, ordering: .acquiringAndReleasing) }

    func store(_ n: Int) { value.store(n, ordering: .releasing) }
}

/// A flag that closures can capture.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)

    var isSet: Bool { value.load(ordering: .acquiring) }

    func set() { value.store(true, ordering: .releasing) }
}
