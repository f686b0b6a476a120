import QuorateCore

/// A bounded set of recently seen message hashes, for relaying each consensus message once.
/// Oldest entries are forgotten first; a forgotten message relayed again is harmless (peers
/// deduplicate too), so the bound only costs a little bandwidth.
struct SeenSet {
    let capacity: Int
    private var members = Set<Hash32>()
    private var order: [Hash32] = []
    private var head = 0

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        order.reserveCapacity(capacity)
    }

    /// True when `hash` was not seen before (and is now remembered).
    mutating func insert(_ hash: Hash32) -> Bool {
        guard !members.contains(hash) else { return false }
        if order.count < capacity {
            order.append(hash)
        } else {
            members.remove(order[head])
            order[head] = hash
            head = (head + 1) % capacity
        }
        members.insert(hash)
        return true
    }
}
