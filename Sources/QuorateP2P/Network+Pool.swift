import QuorateCore

/// Pool exchange on (re)connect: the node announces its pending transactions by hash, the peer
/// asks for those it lacks, and they arrive as an ordinary `transactions` message. What one
/// side of a partition accepted so reaches the other side after the heal without any client
/// sending it again.
extension Network {
    /// Sends `hashes` (in that order) to `peer` in messages of at most
    /// `NetworkLimits.maxHashesPerMessage`; dropped if it is not connected.
    public func announcePool(_ hashes: [Hash32], to peer: PeerID) {
        guard !hashes.isEmpty, let session = readySession(peer) else { return }
        for start in stride(from: 0, to: hashes.count, by: limits.maxHashesPerMessage) {
            let part = Array(hashes[start..<min(start + limits.maxHashesPerMessage, hashes.count)])
            send(WireMessage.poolHashes(part).encoded(), name: "poolHashes", to: session)
        }
    }

    /// Asks `peer` for the pooled transactions with these hashes; it answers with
    /// `transactions` (those it still holds), delivered through `didReceiveTransactions`.
    public func requestPoolTransactions(_ hashes: [Hash32], from peer: PeerID) {
        guard !hashes.isEmpty, let session = readySession(peer) else { return }
        for start in stride(from: 0, to: hashes.count, by: limits.maxHashesPerMessage) {
            let part = Array(hashes[start..<min(start + limits.maxHashesPerMessage, hashes.count)])
            send(WireMessage.getPoolTransactions(part).encoded(), name: "getPoolTransactions", to: session)
        }
    }

    /// Raw transactions to one session, split as broadcasts are.
    func sendTransactions(_ raws: [[UInt8]], to session: PeerSession) {
        for batch in batches(raws, maxCount: limits.maxTransactionsPerMessage, what: "transaction") {
            send(WireMessage.transactions(batch).encoded(), name: "transactions", to: session)
        }
    }
}
