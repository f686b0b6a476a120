import QuorateCore
import Synchronization

/// Transactions decoded and senders recovered ahead of submission (in parallel, for a batch),
/// keyed by the raw bytes `submit` receives, taken once by it: each transaction is decoded and
/// recovered once. Bounded: a batch whose transactions are refused before they reach the lookup
/// leaves entries behind, so the cache is emptied when it would grow past `capacity` (200,000 by default).
final class SenderCache: @unchecked Sendable {
    static let defaultCapacity = 200_000
    let capacity: Int
    private let entries = Mutex<[RawKey: (Transaction, Address)]>([:])

    /// Raw bytes as a key, hashed in one call rather than byte by byte (`[UInt8]`'s own hashing).
    private struct RawKey: Hashable {
        let bytes: [UInt8]
        func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
    }

    init(capacity: Int = SenderCache.defaultCapacity) {
        precondition(capacity > 0, "SenderCache.capacity must be positive")
        self.capacity = capacity
    }

    func insert(_ decoded: [(Transaction, Address)]) {
        entries.withLock { e in
            if e.count + decoded.count > capacity { e.removeAll(keepingCapacity: true) }
            for (tx, sender) in decoded { e[RawKey(bytes: tx.raw)] = (tx, sender) }
        }
    }

    func take(_ raw: [UInt8]) -> (Transaction, Address)? {
        entries.withLock { $0.removeValue(forKey: RawKey(bytes: raw)) }
    }
}
