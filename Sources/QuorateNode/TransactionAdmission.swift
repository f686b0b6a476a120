import QuorateCore
import QuorateRPC
import QuorateState
import QuorateStorage

/// The one way into the mempool, for RPC submissions and gossip alike. Cheapest checks first:
/// size, a duplicate by hash (before decoding), decoding, the stateless rules (shared with block
/// execution), signature ranges, then sender recovery (~45 us, unless prefetched), permissions
/// and system-transaction payloads against the committed state, and the mempool's own rules
/// (nonce window, funds after the sender's pooled transactions, replacement, bounds).
/// Every refusal is an `AdmissionError`.
struct TransactionAdmission: Sendable {
    let store: ChainStore
    let mempool: Mempool
    let rules: ChainRules
    /// Decoded transactions and senders recovered ahead for a gossiped batch.
    let senderCache: SenderCache

    /// Pools `raw` and returns it decoded. CPU is counted per stage: decoding, sender recovery,
    /// and the rest (admission).
    func admit(raw: [UInt8]) throws(AdmissionError) -> Transaction {
        let checked = try check(raw: raw, prefetched: senderCache.take(raw), gossiped: false)
        let timer = StageTimer(.admission)
        defer { timer.finish() }
        try Self.refusal { try mempool.add(checked.transaction, sender: checked.sender, account: checked.account) }
        return checked.transaction
    }

    /// `admit` for a gossiped batch whose pooled transactions were already dropped by hash, and
    /// whose senders were recovered ahead where `prefetched` has them (aligned with `raws`): the
    /// same checks, with the pool's lock taken once for all the additions.
    func admit(batch raws: [[UInt8]], prefetched: [(Transaction, Address)?]) -> [Result<Transaction, AdmissionError>] {
        precondition(raws.count == prefetched.count, "one prefetched slot per raw transaction")
        var results = [Result<Transaction, AdmissionError>?](repeating: nil, count: raws.count)
        var checked: [(transaction: Transaction, sender: Address, account: Account)] = []
        var slots: [Int] = []
        for (i, raw) in raws.enumerated() {
            do {
                checked.append(try check(raw: raw, prefetched: prefetched[i], gossiped: true))
                slots.append(i)
            } catch {
                results[i] = .failure(error)
            }
        }
        let timer = StageTimer(.admission)
        for (slot, (item, error)) in zip(slots, zip(checked, mempool.add(checked))) {
            results[slot] = error.map { .failure($0) } ?? .success(item.transaction)
        }
        timer.finish()
        return results.map { $0! }
    }

    /// Every check before the pool's own: size, a duplicate by hash (before decoding; in the pool
    /// and the chain, unless `gossiped`), decoding, the stateless rules, signature ranges,
    /// sender recovery, and the system-transaction checks against the committed state.
    private func check(raw: [UInt8], prefetched: (Transaction, Address)?,
                       gossiped: Bool) throws(AdmissionError) -> (transaction: Transaction, sender: Address, account: Account) {
        guard raw.count <= Transaction.maxEncodedBytes else {
            throw .oversized("oversized data: transaction of \(raw.count) bytes exceeds \(Transaction.maxEncodedBytes)")
        }
        // A transaction's hash is the hash of its raw bytes: a duplicate is known before decoding.
        // A gossiped batch had its pooled ones dropped already, and a committed one it still
        // holds is refused by its nonce: the chain's index is read only for a client's call,
        // whose answer ("already known") it decides.
        if !gossiped {
            // First of all: a client pushed back under load costs the node (and its retry) nothing.
            if mempool.refusesClients { throw .poolFull }
            if try isKnown(prefetched?.0.hash ?? Hash32.keccak(raw)) { throw .alreadyKnown }
        }
        let tx: Transaction
        do { tx = try prefetched?.0 ?? StageCPU.measure(.rlpDecode) { try Transaction.decode(raw: raw) } } catch {
            throw .malformed("\(error)")
        }
        try Self.refusal {
            try StageCPU.measure(.admission) {
                try TransactionRules.checkStateless(tx, chainId: rules.chainId, fees: rules.fees)
            }
        }
        // Cheap checks first (signature ranges, EIP-2 high S, overflow); recovery last.
        do { try tx.validateStateless(chainId: rules.chainId) } catch { throw .malformed("\(error)") }
        let sender: Address
        do { sender = try prefetched?.1 ?? StageCPU.measure(.senderRecovery) { try tx.recoverSender() } } catch {
            throw .invalidSender("\(error)")
        }
        let timer = StageTimer(.admission)
        defer { timer.finish() }
        return try Self.refusal {
            let account = try store.account(sender) ?? .empty
            try checkSystemTransaction(tx, sender: sender, account: account)
            return (tx, sender, account)
        }
    }

    private func isKnown(_ hash: Hash32) throws(AdmissionError) -> Bool {
        if mempool.contains(hash) { return true }
        do { return try store.transactionLocation(hash) != nil } catch { throw .unavailable("\(error)") }
    }

    /// The permission and governance checks a block will make, against the committed state, so
    /// that a transaction the next block would refuse is refused here with the reason.
    func checkSystemTransaction(_ tx: Transaction, sender: Address, account: Account) throws {
        let command = try TransactionRules.systemCommand(tx, sender: sender, roles: Roles(rawValue: account.roles),
                                                         accountPermissioning: rules.accountPermissioning)
        switch command {
        case .validatorVote(let vote)?:
            let head = store.head
            var context = ValidatorContext(height: head.height + 1, timestampMs: head.timestampMs,
                                           current: try store.validators(at: head.height + 1))
            // Membership first: nobody else makes the node decode the pending votes.
            guard context.current.contains(sender) else {
                throw TransactionRejection(.notPermitted,
                                           "sender not authorized to vote on validators: \(sender) is not a validator at height \(context.height)")
            }
            var record = try PendingValidatorVotes(decoding: store.stateValue(PendingValidatorVotes.stateKey) ?? [])
            try ValidatorGovernance.apply(vote, sender: sender, context: &context, record: &record)
        case .nodeKey(let nodeCommand)?:
            var record = try OnChainNodeKeys(decoding: store.stateValue(OnChainNodeKeys.stateKey) ?? [])
            try record.apply(nodeCommand)
        case .role?, nil:
            break
        }
    }

    /// Runs `body`, turning the shared rules' refusals into admission errors and any other
    /// failure (a store read) into `.unavailable`.
    private static func refusal<T>(_ body: () throws -> T) throws(AdmissionError) -> T {
        do { return try body() } catch let error as AdmissionError {
            throw error
        } catch let rejection as TransactionRejection {
            throw AdmissionError(rejection)
        } catch {
            throw .unavailable("\(error)")
        }
    }
}

extension AdmissionError {
    /// The case for a refusal by the shared transaction rules, keeping their words.
    init(_ rejection: TransactionRejection) {
        let text = rejection.description
        switch rejection.kind {
        case .unprotected: self = .unprotected(text)
        case .wrongChainId: self = .wrongChainId(text)
        case .oversizedData: self = .oversized(text)
        case .intrinsicGasTooLow: self = .intrinsicGasTooLow(text)
        case .gasLimitTooHigh, .blockGasExhausted: self = .exceedsBlockGasLimit(text)
        case .tipAboveFeeCap: self = .tipAboveFeeCap(text)
        case .feeCapBelowBaseFee: self = .feeCapBelowBaseFee(text)
        case .overflow: self = .costOverflow
        case .insufficientFunds: self = .insufficientFunds(text)
        case .notPermitted, .contractCreation: self = .notPermitted(text)
        case .invalidSystemTransaction: self = .invalidSystemTransaction(text)
        case .invalidSignature: self = .invalidSender(text)
        case .alreadyKnown: self = .alreadyKnown
        case .replacementUnderpriced: self = .replacementUnderpriced
        case .poolFull: self = .poolFull
        // The mempool words these itself (Mempool.add); the shared rules raise them only in blocks.
        case .nonceTooLow, .nonceTooHigh, .senderQueueFull: self = .refused(text)
        }
    }
}
