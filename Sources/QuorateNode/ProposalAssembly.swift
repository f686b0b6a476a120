import QuorateConsensus
import QuorateCore

/// Turns compact proposals (transactions named by hash) back into full proposals for the
/// consensus machine. A value with no I/O: each method returns what to do (deliver a proposal,
/// ask peers for transactions) and the caller does it, as the machine's `Ready` is carried out.
///
/// A proposal whose transactions are all at hand is delivered at once. Otherwise it waits, and
/// the missing transactions are asked of the peer that sent it and of the proposer's node; they
/// are offered back by hash as they arrive (`offer`), whether or not the pool would admit them:
/// a full pool or a nonce gap must not stop a proposal from being assembled, and the block
/// validator checks them as it checks any block's. A peer that never delivers leaves the
/// proposal waiting: consensus's propose timeout fires and the round changes; the waiting
/// proposal goes when its height is committed, or when newer ones push it out.
public struct ProposalAssembly<Peer: Hashable & Sendable>: Sendable {
    /// Compact proposals waiting for transactions at once: 8 (oldest dropped first). One round
    /// of one height needs one; a few more cover a round change or the next height arriving
    /// early, and the bound keeps a flood of compact proposals to 8 hash lists held.
    public static var maxPending: Int { 8 }
    /// Missing transactions asked for per proposal, at most: 20,000, twice the default
    /// `ConsensusParams.maxBlockTransactions` (a validator that lacks more than that of one
    /// block is better served by the propose timeout and block sync). The network splits the
    /// request into messages of `NetworkLimits.maxHashesPerMessage`.
    public static var maxRequestedPerProposal: Int { 20_000 }

    public enum Action: Equatable, Sendable {
        /// The full proposal, for the consensus machine.
        case deliver(Proposal)
        /// Ask each of `peers` for the transactions with these hashes (`getPoolTransactions`).
        case request([Hash32], from: [Peer])
    }

    private struct Pending: Sendable {
        let compact: CompactProposal
        var transactions: [Transaction?]
        /// Position in the block of each transaction still missing.
        var missing: [Hash32: Int]
    }

    /// Waiting proposals, oldest first.
    private var pending: [Pending] = []
    /// The committed head: proposals at or below it are of no use any more.
    public private(set) var committedHeight: UInt64

    public init(committedHeight: UInt64) {
        self.committedHeight = committedHeight
    }

    public var pendingCount: Int { pending.count }
    /// Transactions the waiting proposals miss, counted over all of them.
    public var missingCount: Int { pending.reduce(0) { $0 + $1.missing.count } }
    public var isWaiting: Bool { !pending.isEmpty }

    /// Whether a waiting proposal misses the transaction with this hash.
    public func wants(_ hash: Hash32) -> Bool { pending.contains { $0.missing[hash] != nil } }

    /// A compact proposal from `peer`, seen for the first time. `pooled` holds the transaction
    /// each listed hash names, from this node's pool, in list order (nil for those not pooled);
    /// `proposerNode` is the proposer's own node when this node knows it.
    public mutating func received(_ compact: CompactProposal, pooled: [Transaction?], from peer: Peer,
                           proposerNode: Peer?) -> [Action] {
        precondition(pooled.count == compact.transactionHashes.count, "one pool lookup per listed hash")
        guard compact.height > committedHeight else { return [] }
        // The same proposal again (the seen-set drops equal bytes, but it forgets the oldest and
        // a restarted proposer re-sends): already waiting, already asked for.
        guard !pending.contains(where: { $0.compact == compact }) else { return [] }
        var missing: [Hash32: Int] = [:]
        var order: [Hash32] = []
        for (index, (hash, tx)) in zip(compact.transactionHashes, pooled).enumerated() where tx == nil {
            missing[hash] = index
            order.append(hash)
        }
        if missing.isEmpty {
            return [.deliver(compact.proposal(transactions: pooled.map { $0! }))]
        }
        if pending.count >= Self.maxPending { pending.removeFirst(pending.count - Self.maxPending + 1) }
        pending.append(Pending(compact: compact, transactions: pooled, missing: missing))
        var peers = [peer]
        if let proposerNode, proposerNode != peer { peers.append(proposerNode) }
        return [.request(Array(order.prefix(Self.maxRequestedPerProposal)), from: peers)]
    }

    /// Transactions that arrived from peers: each fills the places that wait for its hash.
    /// Returns the proposals this completed, oldest first; the caller delivers them.
    public mutating func offer(_ transactions: [Transaction]) -> [Proposal] {
        guard !pending.isEmpty else { return [] }
        var completed: [Proposal] = []
        var index = 0
        while index < pending.count {
            for tx in transactions {
                guard let position = pending[index].missing.removeValue(forKey: tx.hash) else { continue }
                pending[index].transactions[position] = tx
            }
            if pending[index].missing.isEmpty {
                let done = pending.remove(at: index)
                completed.append(done.compact.proposal(transactions: done.transactions.map { $0! }))
            } else {
                index += 1
            }
        }
        return completed
    }

    /// The head moved to `height`: proposals for it and below are dropped.
    public mutating func committed(height: UInt64) {
        committedHeight = max(committedHeight, height)
        pending.removeAll { $0.compact.height <= committedHeight }
    }

    /// A proposal whose listed transaction cannot exist (its bytes hash to the listed hash but do
    /// not decode): no block can be rebuilt from it, so it stops waiting.
    public mutating func dropWaiting(for hash: Hash32) {
        pending.removeAll { $0.missing[hash] != nil }
    }
}
