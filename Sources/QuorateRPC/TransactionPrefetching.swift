/// A backend that can check many raw transactions' signatures at once, in parallel, ahead of the
/// calls that submit them one by one.
public protocol TransactionPrefetching: RPCBackend {
    func prefetchSenders(_ raws: [[UInt8]])
}

extension EthAPI {
    /// Batches of `eth_sendRawTransaction` have their senders recovered on all cores before the
    /// batch is dispatched; the calls then find them done.
    static func registerPrefetch(on d: RPCDispatcher, backend: RPCBackend) {
        guard let prefetcher = backend as? TransactionPrefetching else { return }
        d.onRawTransactionBatch { raws in prefetcher.prefetchSenders(raws) }
    }
}
