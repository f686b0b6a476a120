/// A min-heap of events by (time, insertion sequence): equal times pop in insertion order,
/// so the run is a function of the seed alone.
struct EventQueue<Event> {
    private var heap: [(time: UInt64, seq: UInt64, event: Event)] = []
    private var nextSeq: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    mutating func push(_ event: Event, at time: UInt64) {
        heap.append((time, nextSeq, event))
        nextSeq += 1
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard precedes(i, parent) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> (time: UInt64, event: Event)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var smallest = i
            if l < heap.count, precedes(l, smallest) { smallest = l }
            if r < heap.count, precedes(r, smallest) { smallest = r }
            if smallest == i { break }
            heap.swapAt(i, smallest)
            i = smallest
        }
        return (top.time, top.event)
    }

    private func precedes(_ a: Int, _ b: Int) -> Bool {
        (heap[a].time, heap[a].seq) < (heap[b].time, heap[b].seq)
    }
}
