import QuorateCore
import Synchronization

/// Senders recovered ahead of submission (in parallel, for a batch), taken once by `submit`.
/// Bounded: a batch whose transactions are refused before they reach the lookup leaves entries
/// behind, so the cache is emptied when it grows past `capacity`.
final class SenderCache: @unchecked Sendable {
    static let capacity = 200_000
    private let entries = Mutex<[Hash32: Address]>([:])

    func insert(_ pairs: [(Hash32, Address)]) {
        entries.withLock { e in
            if e.count + pairs.count > SenderCache.capacity { e.removeAll(keepingCapacity: true) }
            for (hash, sender) in pairs { e[hash] = sender }
        }
    }

    func take(_ hash: Hash32) -> Address? {
        entries.withLock { $0.removeValue(forKey: hash) }
    }
}
