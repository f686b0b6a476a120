import QuorateCore
import QuorateRPC
import QuorateState
import Synchronization

/// Transactions waiting for a block. Bounded by count, bytes and per sender. Each entry keeps the
/// sender recovered on entry, so block validation never checks that signature again.
///
/// Thread-safe: RPC threads add, the executor takes and removes.
public final class Mempool: @unchecked Sendable {
    public struct Limits: Sendable {
        /// Transactions held at once.
        public var maxTransactions = 200_000
        /// The most `maxTransactions` may be set to (`--txpool-max-transactions`).
        public static let maxTransactionsCeiling = 1_000_000
        /// Clients' submissions are refused (`txpool is full`) while the pool holds this many, so
        /// that under load a client waits for room instead of queueing behind many heights of
        /// work; peers' transactions still fill it up to `maxTransactions`, since dropping what
        /// another validator accepted would leave it in one pool only (docs/architecture.md).
        public var clientAdmissionMax = 8_192
        /// Raw bytes held at once.
        public var maxBytes = 128 << 20
        /// Transactions of one sender held at once; also how far ahead of the account nonce a
        /// transaction may be (a larger gap is refused as "nonce too high").
        public var maxPerSender = 4_096
        public init() {}
    }

    public struct Entry: Sendable {
        public let transaction: Transaction
        public let sender: Address
        let sequence: UInt64
    }

    private struct SenderQueue {
        /// The account nonce when last seen: transactions from here on are candidates.
        var baseNonce: UInt64
        var byNonce: [UInt64: Hash32] = [:]
        /// The lowest and highest pooled nonce and the sum of their most costs: a transaction
        /// after all of them (the usual case) is checked against the funds without walking the
        /// queue, which made admission quadratic in a sender's pooled count.
        var lowestNonce = UInt64.max
        var highestNonce = UInt64.min
        var pooledCost = UInt256.zero
        /// Nonces `baseNonce..<runEnd` are all pooled: those can execute in turn; the rest wait
        /// for a missing nonce below them.
        var runEnd: UInt64

        init(baseNonce: UInt64) {
            self.baseNonce = baseNonce
            runEnd = baseNonce
        }

        var executable: Int { Int(runEnd - baseNonce) }

        /// After the base moved up or a nonce was added: the run grows over what is pooled.
        mutating func extendRun() {
            runEnd = max(runEnd, baseNonce)
            while byNonce[runEnd] != nil { runEnd += 1 }
        }

        /// After the transaction of `nonce` left: the run stops below it.
        mutating func cutRun(at nonce: UInt64) {
            if nonce >= baseNonce, nonce < runEnd { runEnd = nonce }
        }

        mutating func added(nonce: UInt64, cost: UInt256) {
            lowestNonce = min(lowestNonce, nonce)
            highestNonce = max(highestNonce, nonce)
            pooledCost = Mempool.saturatingSum(pooledCost, cost)
        }

        /// After removals, from the entries themselves.
        mutating func recount(_ entries: [Hash32: Entry]) {
            lowestNonce = byNonce.keys.min() ?? .max
            highestNonce = byNonce.keys.max() ?? .min
            pooledCost = byNonce.values.reduce(.zero) { sum, hash in
                Mempool.saturatingSum(sum, entries[hash].map { Mempool.cost($0.transaction) } ?? .zero)
            }
        }
    }

    /// A transaction's most cost, or zero if it overflows (checkFunds refuses those itself).
    static func cost(_ tx: Transaction) -> UInt256 { (try? TransactionRules.maxCost(tx)) ?? .zero }

    static func saturatingSum(_ a: UInt256, _ b: UInt256) -> UInt256 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }

    private struct State {
        var entries: [Hash32: Entry] = [:]
        var senders: [Address: SenderQueue] = [:]
        var bytes = 0
        var nextSequence: UInt64 = 0
        /// Transactions that can execute now or after others of their sender already pooled (the
        /// rest wait for a missing nonce): the backlog that `refusesClients` bounds.
        var executable = 0
    }

    public let limits: Limits
    /// The pool's executable count as of its last change, for `refusesClients`.
    private let executableCount = Atomic<Int>(0)
    /// The whole-node simulator's planted bug (c): a second transaction for a pooled nonce is
    /// admitted beside the first. Only tests set it.
    public var plantedDuplicateNonce = false
    private let state = Mutex(State())

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    public var count: Int { state.withLock { $0.entries.count } }
    /// True while clients' submissions are refused: the pool holds `Limits.clientAdmissionMax`
    /// transactions that can execute. Those waiting behind a missing nonce do not count, so
    /// nobody can shut clients out with transactions that never execute, and the missing one is
    /// taken once blocks drain the backlog. Read without the pool's lock: it is asked once per
    /// client submission, and the RPC threads already queue on that lock behind block building.
    public var refusesClients: Bool { executableCount.load(ordering: .relaxed) >= limits.clientAdmissionMax }

    /// Transactions that can execute now or in turn after others of their sender.
    public var executableTotal: Int { state.withLock { $0.executable } }
    public var bytes: Int { state.withLock { $0.bytes } }

    /// The sender cached on entry, or nil if the transaction is not pooled.
    public func sender(of hash: Hash32) -> Address? { state.withLock { $0.entries[hash]?.sender } }

    /// The pooled senders of `transactions`, by hash, under one lock (block validation asks for
    /// thousands while RPC and gossip threads admit).
    public func senders(of transactions: [Transaction]) -> [Hash32: Address] {
        state.withLock { s in
            var out: [Hash32: Address] = [:]
            out.reserveCapacity(transactions.count)
            for tx in transactions { if let e = s.entries[tx.hash] { out[tx.hash] = e.sender } }
            return out
        }
    }

    public func contains(_ hash: Hash32) -> Bool { state.withLock { $0.entries.index(forKey: hash) != nil } }

    /// Whether each of `hashes` is pooled, under one lock: many threads admit at once, and a
    /// lock per transaction made them spin on each other.
    public func contains(_ hashes: [Hash32]) -> [Bool] {
        state.withLock { s in hashes.map { s.entries.index(forKey: $0) != nil } }
    }

    public func entry(_ hash: Hash32) -> Entry? { state.withLock { $0.entries[hash] } }

    /// The pooled transactions of `hashes` (nil where not pooled), under one lock: a compact
    /// proposal lists thousands.
    public func transactions(_ hashes: [Hash32]) -> [Transaction?] {
        state.withLock { s in hashes.map { s.entries[$0]?.transaction } }
    }

    /// Up to `limit` pooled hashes, oldest arrival first (so each sender's in the order they came,
    /// normally nonce order): what a node announces to a peer that (re)connects.
    public func hashesByArrival(limit: Int) -> [Hash32] {
        state.withLock { s in
            s.entries.map { ($0.value.sequence, $0.key) }.sorted { $0.0 < $1.0 }.prefix(max(0, limit)).map(\.1)
        }
    }

    /// Next nonce after the sender's contiguous pooled transactions (the `pending` block tag).
    public func pendingNonce(of sender: Address, accountNonce: UInt64) -> UInt64 {
        state.withLock { s in
            guard let queue = s.senders[sender] else { return accountNonce }
            var nonce = max(accountNonce, queue.baseNonce)
            while queue.byNonce[nonce] != nil { nonce += 1 }
            return nonce
        }
    }

    /// Adds a transaction whose signature has been checked (`sender` recovered) and that passed the
    /// stateless rules; `account` is the sender's committed account. Admission's last step
    /// (`TransactionAdmission`).
    public func add(_ tx: Transaction, sender: Address, account: Account) throws(AdmissionError) {
        try state.withLock { (s) throws(AdmissionError) in
            defer { executableCount.store(s.executable, ordering: .relaxed) }
            try add(tx, sender: sender, account: account, to: &s)
        }
    }

    /// `add` for a batch under one lock (gossip arrives in batches from several peers at once,
    /// and a lock per transaction had their threads queue on it); nil where one was pooled.
    public func add(_ batch: [(transaction: Transaction, sender: Address, account: Account)]) -> [AdmissionError?] {
        state.withLock { s in
            defer { executableCount.store(s.executable, ordering: .relaxed) }
            return batch.map { item -> AdmissionError? in
                do throws(AdmissionError) {
                    try add(item.transaction, sender: item.sender, account: item.account, to: &s)
                } catch {
                    return error
                }
                return nil
            }
        }
    }

    private func add(_ tx: Transaction, sender: Address, account: Account, to s: inout State) throws(AdmissionError) {
        guard s.entries.index(forKey: tx.hash) == nil else { throw .alreadyKnown }
        guard tx.nonce >= account.nonce else { throw .nonceTooLow(next: account.nonce, got: tx.nonce) }
        guard tx.nonce - account.nonce < UInt64(limits.maxPerSender) else {
            throw .nonceTooHigh(nonce: tx.nonce, accountNonce: account.nonce, window: limits.maxPerSender)
        }
        // Taken out while it changes: a copy left in the dictionary would make the first write to
        // its nonce table copy the whole table.
        let original = s.senders.removeValue(forKey: sender)
        var queue = original ?? SenderQueue(baseNonce: account.nonce)
        var pooled = false
        defer {
            if pooled { s.senders[sender] = queue } else if let original { s.senders[sender] = original }
        }
        // As geth: the balance must cover this transaction after every earlier pooled one of the
        // sender, or a later nonce would be accepted here and silently dropped at block build.
        do {
            try TransactionRules.checkFunds(tx, sender: sender,
                                            balance: Mempool.balanceLeft(account, before: tx.nonce, queue: queue, entries: s.entries))
        } catch let rejection as TransactionRejection {
            throw AdmissionError(rejection)
        } catch {
            preconditionFailure("TransactionRules.checkFunds throws only TransactionRejection: \(error)")
        }
        queue.baseNonce = max(queue.baseNonce, account.nonce)
        var replaced: Entry?
        if let existing = queue.byNonce[tx.nonce], let old = s.entries[existing], !plantedDuplicateNonce {
            guard Mempool.isPriceBump(new: tx, old: old.transaction) else { throw .replacementUnderpriced }
            replaced = old
        } else {
            guard queue.byNonce.count < limits.maxPerSender else {
                throw .senderQueueFull(sender: sender, limit: limits.maxPerSender)
            }
        }
        let newBytes = s.bytes - (replaced?.transaction.raw.count ?? 0) + tx.raw.count
        guard replaced != nil || s.entries.count < limits.maxTransactions, newBytes <= limits.maxBytes else {
            throw .poolFull
        }
        if let replaced { s.entries[replaced.transaction.hash] = nil }
        queue.byNonce[tx.nonce] = tx.hash
        let runBefore = original?.executable ?? 0
        queue.extendRun()
        s.executable += queue.executable - runBefore
        s.entries[tx.hash] = Entry(transaction: tx, sender: sender, sequence: s.nextSequence)
        // The planted duplicate leaves the old entry beside the new one: counted from the entries.
        if replaced != nil || plantedDuplicateNonce { queue.recount(s.entries) } else { queue.added(nonce: tx.nonce, cost: Mempool.cost(tx)) }
        pooled = true
        s.nextSequence += 1
        s.bytes = newBytes
    }

    /// What the sender still has once its pooled transactions below `nonce` have paid their most.
    private static func balanceLeft(_ account: Account, before nonce: UInt64, queue: SenderQueue,
                                    entries: [Hash32: Entry]) -> UInt256 {
        if queue.byNonce.isEmpty { return account.balance }
        if queue.lowestNonce >= account.nonce, queue.highestNonce < nonce {
            let (rest, underflow) = account.balance.subtractingReportingOverflow(queue.pooledCost)
            return underflow ? .zero : rest
        }
        var left = account.balance
        for (n, hash) in queue.byNonce where n >= account.nonce && n < nonce {
            guard let e = entries[hash], let cost = try? TransactionRules.maxCost(e.transaction) else { continue }
            let (rest, underflow) = left.subtractingReportingOverflow(cost)
            left = underflow ? .zero : rest
        }
        return left
    }

    /// Geth's rule: a same-nonce replacement must raise both fee fields by at least 10%.
    static func isPriceBump(new: Transaction, old: Transaction) -> Bool {
        func bumped(_ n: UInt256, _ o: UInt256) -> Bool {
            let (n10, o1) = n.multipliedReportingOverflow(by: UInt256(10))
            let (o11, o2) = o.multipliedReportingOverflow(by: UInt256(11))
            return o1 || (!o2 && n10 >= o11)
        }
        return bumped(new.maxFeePerGas, old.maxFeePerGas) && bumped(new.maxPriorityFeePerGas, old.maxPriorityFeePerGas)
    }

    /// Transactions that can execute now, in arrival order, each sender's in nonce order without
    /// gaps: a transaction whose predecessor is missing is held back.
    public func executable(limit: Int) -> [BlockBuilder.Candidate] {
        state.withLock { s in
            var heads: [(sequence: UInt64, sender: Address, nonce: UInt64)] = []
            for (sender, queue) in s.senders {
                if let hash = queue.byNonce[queue.baseNonce], let e = s.entries[hash] {
                    heads.append((e.sequence, sender, queue.baseNonce))
                }
            }
            // Deterministic regardless of dictionary order: by arrival, then by sender.
            heads.sort { ($0.sequence, $0.sender) < ($1.sequence, $1.sender) }
            var out = [BlockBuilder.Candidate]()
            // Round-robin over senders so one busy sender cannot starve the others.
            var cursors = heads.map { ($0.sender, $0.nonce) }
            while out.count < limit, !cursors.isEmpty {
                var next: [(Address, UInt64)] = []
                for (sender, nonce) in cursors where out.count < limit {
                    guard let hash = s.senders[sender]?.byNonce[nonce], let e = s.entries[hash] else { continue }
                    out.append(BlockBuilder.Candidate(transaction: e.transaction, sender: sender))
                    next.append((sender, nonce + 1))
                }
                cursors = next
            }
            return out
        }
    }

    /// After a block commits: drops its transactions and every pooled one the new nonces made stale.
    public func removeCommitted(_ transactions: [Transaction], senders: [Address], nonceOf: (Address) -> UInt64) {
        state.withLock { s in
            defer { executableCount.store(s.executable, ordering: .relaxed) }
            var touched = Set<Address>()
            for (tx, sender) in zip(transactions, senders) {
                if let e = s.entries.removeValue(forKey: tx.hash) { s.bytes -= e.transaction.raw.count }
                touched.insert(sender)
            }
            for sender in touched { Mempool.advance(&s, sender: sender, to: nonceOf(sender)) }
        }
    }

    /// Drops transactions that can no longer execute (found by the block builder).
    public func remove(_ hashes: [Hash32]) {
        state.withLock { s in
            defer { executableCount.store(s.executable, ordering: .relaxed) }
            for hash in hashes {
                guard let e = s.entries.removeValue(forKey: hash) else { continue }
                s.bytes -= e.transaction.raw.count
                if var queue = s.senders.removeValue(forKey: e.sender) {
                    let runBefore = queue.executable
                    queue.byNonce[e.transaction.nonce] = nil
                    queue.cutRun(at: e.transaction.nonce)
                    s.executable += queue.executable - runBefore
                    queue.recount(s.entries)
                    if !queue.byNonce.isEmpty { s.senders[e.sender] = queue }
                }
            }
        }
    }

    private static func advance(_ s: inout State, sender: Address, to nonce: UInt64) {
        guard var queue = s.senders.removeValue(forKey: sender) else { return }
        let runBefore = queue.executable
        for (n, hash) in queue.byNonce where n < nonce {
            queue.byNonce[n] = nil
            if let e = s.entries.removeValue(forKey: hash) { s.bytes -= e.transaction.raw.count }
        }
        queue.baseNonce = max(queue.baseNonce, nonce)
        queue.extendRun()
        s.executable += queue.executable - runBefore
        queue.recount(s.entries)
        if !queue.byNonce.isEmpty { s.senders[sender] = queue }
    }
}
