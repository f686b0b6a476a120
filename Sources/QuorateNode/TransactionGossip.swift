import Dispatch
import Synchronization

/// Collects accepted transactions and hands them to the network in batches, so that thousands of
/// submissions per second become tens of messages, not thousands.
final class TransactionGossip: @unchecked Sendable {
    /// A batch leaves when it holds this many transactions ...
    static let maxBatchTransactions = 500
    /// ... or this long after its first transaction arrived.
    static let flushDelayMs = 5

    private let queue = DispatchQueue(label: "quorate.gossip")
    private let pending = Mutex<[[UInt8]]>([])
    private let send: @Sendable ([[UInt8]]) -> Void

    init(send: @escaping @Sendable ([[UInt8]]) -> Void) {
        self.send = send
    }

    func add(_ raw: [UInt8]) {
        let (count, full) = pending.withLock { p -> (Int, [[UInt8]]?) in
            p.append(raw)
            if p.count >= TransactionGossip.maxBatchTransactions {
                defer { p.removeAll(keepingCapacity: true) }
                return (0, p)
            }
            return (p.count, nil)
        }
        if let full {
            queue.async { self.send(full) }
        } else if count == 1 {
            queue.asyncAfter(deadline: .now() + .milliseconds(TransactionGossip.flushDelayMs)) { self.flush() }
        }
    }

    private func flush() {
        let batch = pending.withLock { p -> [[UInt8]] in
            defer { p.removeAll(keepingCapacity: true) }
            return p
        }
        if !batch.isEmpty { send(batch) }
    }
}
