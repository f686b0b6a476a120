import QuorateCore

/// The pool's side of compact proposals (`ProposalAssembly`): the transactions a proposal lists,
/// already decoded and with their senders recovered on entry.
extension Node {
    func pooledTransactions(_ hashes: [Hash32]) -> [Transaction?] {
        mempool.transactions(hashes)
    }
}
