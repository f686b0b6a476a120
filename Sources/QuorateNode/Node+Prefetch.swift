import Dispatch
import QuorateCore
import QuorateRPC

extension Node: TransactionPrefetching {
    /// Smallest share of a batch worth a thread of its own.
    static let prefetchChunk = 64

    /// Decodes `raws` and recovers their senders on all cores, and leaves both for `submit`. Anything that
    /// does not decode or recover is skipped here; `submit` then refuses it with the reason.
    public func prefetchSenders(_ raws: [[UInt8]]) {
        let chunks = stride(from: 0, to: raws.count, by: Node.prefetchChunk).map {
            raws[$0..<min($0 + Node.prefetchChunk, raws.count)]
        }
        var results = [[(Transaction, Address)]](repeating: [], count: chunks.count)
        results.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            DispatchQueue.concurrentPerform(iterations: chunks.count) { i in
                out[i] = chunks[i].compactMap { raw in
                    guard let tx = try? Transaction.decode(raw: raw), !mempool.contains(tx.hash),
                          let sender = try? tx.recoverSender() else { return nil }
                    return (tx, sender)
                }
            }
        }
        senderCache.insert(results.flatMap { $0 })
    }

    /// The senders of every transaction in `blocks` (block sync), recovered on all cores; a
    /// transaction whose sender does not recover is left out, and validation refuses its block.
    func recoverSenders(of blocks: [Block]) -> [Hash32: Address] {
        let transactions = blocks.flatMap(\.transactions)
        let chunks = stride(from: 0, to: transactions.count, by: Node.prefetchChunk).map {
            transactions[$0..<min($0 + Node.prefetchChunk, transactions.count)]
        }
        var results = [[(Hash32, Address)]](repeating: [], count: chunks.count)
        results.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            DispatchQueue.concurrentPerform(iterations: chunks.count) { i in
                out[i] = chunks[i].compactMap { tx in (try? tx.recoverSender()).map { (tx.hash, $0) } }
            }
        }
        return Dictionary(results.joined().map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
    }
}
