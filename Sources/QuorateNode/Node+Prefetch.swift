import Dispatch
import QuorateCore
import QuorateRPC

extension Node: TransactionPrefetching {
    /// Smallest share of a batch worth a thread of its own.
    static let prefetchChunk = 64

    /// Decodes `raws` and recovers their senders on all cores, and leaves both for `submit`. Anything that
    /// does not decode or recover is skipped here; `submit` then refuses it with the reason.
    public func prefetchSenders(_ raws: [[UInt8]]) {
        // `submit` will refuse the batch before its senders are needed.
        guard !mempool.refusesClients else { return }
        let decoded = Node.onAllCores(raws) { raw in StageCPU.measure(.rlpDecode) { try? Transaction.decode(raw: raw) } }
        // Pooled ones are asked about under one lock, not one lock per transaction on every core.
        let fresh = zip(decoded, mempool.contains(decoded.map(\.hash))).compactMap { $1 ? nil : $0 }
        senderCache.insert(Node.onAllCores(fresh) { tx in
            StageCPU.measure(.senderRecovery) { (try? tx.recoverSender()).map { (tx, $0) } }
        })
    }

    /// Each of `raws` decoded with its sender recovered, on all cores, aligned with `raws`: nil
    /// where it does not decode or recover (admission then refuses it with the reason).
    func recoverSenders(_ raws: [[UInt8]]) -> [(Transaction, Address)?] {
        // `onAllCores` drops nil results: each slot is wrapped once more so that none is dropped.
        Node.onAllCores(raws) { raw -> (Transaction, Address)?? in
            guard let tx = StageCPU.measure(.rlpDecode, { try? Transaction.decode(raw: raw) }) else { return .some(nil) }
            return .some(StageCPU.measure(.senderRecovery) { (try? tx.recoverSender()).map { (tx, $0) } })
        }
    }

    /// The senders of every transaction in `blocks` (block sync), recovered on all cores; a
    /// transaction whose sender does not recover is left out, and validation refuses its block.
    func recoverSenders(of blocks: [Block]) -> [Hash32: Address] {
        let pairs = Node.onAllCores(blocks.flatMap(\.transactions)) { tx in
            StageCPU.measure(.senderRecovery) { (try? tx.recoverSender()).map { (tx.hash, $0) } }
        }
        return Dictionary(pairs, uniquingKeysWith: { first, _ in first })
    }

    /// `transform` of every element, in chunks of `prefetchChunk` spread over all cores; the nil
    /// results are dropped, the rest keep their order.
    private static func onAllCores<T: Sendable, R>(_ items: [T], _ transform: @Sendable (T) -> R?) -> [R] {
        let chunks = stride(from: 0, to: items.count, by: prefetchChunk).map {
            items[$0..<min($0 + prefetchChunk, items.count)]
        }
        var results = [[R]](repeating: [], count: chunks.count)
        results.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            DispatchQueue.concurrentPerform(iterations: chunks.count) { i in
                out[i] = chunks[i].compactMap(transform)
            }
        }
        return Array(results.joined())
    }
}
