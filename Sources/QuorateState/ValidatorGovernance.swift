import QuorateCore

/// The validator sets a block executes with: `current` signs this block and votes on changes;
/// `next` starts equal to it and takes each change that passes, and becomes the set of the
/// following height (the header's `nextValidatorsHash`).
public struct ValidatorContext: Sendable {
    public let height: UInt64
    /// The block's timestamp: votes expire by it (every node reads the same header).
    public let timestampMs: UInt64
    public let current: ValidatorSet
    public internal(set) var next: ValidatorSet
    /// Changes that passed in this block, in order.
    public internal(set) var passed: [ValidatorChange] = []

    public init(height: UInt64, timestampMs: UInt64, current: ValidatorSet) {
        self.height = height
        self.timestampMs = timestampMs
        self.current = current
        self.next = current
    }
}

/// Pending validator-set proposals and their votes: one record in the state tree, so that every
/// node tallies the same votes and the record is committed by `stateRoot`.
public struct PendingValidatorVotes: Equatable, Sendable {
    public struct Vote: Equatable, Sendable {
        public let voter: Address
        /// The block that recorded the vote, and its timestamp: the vote expires
        /// `voteLifetimeMs` after it.
        public let height: UInt64
        public let timestampMs: UInt64

        public var expiresAtMs: UInt64 {
            timestampMs.addingReportingOverflow(ValidatorGovernance.voteLifetimeMs).overflow
                ? .max : timestampMs + ValidatorGovernance.voteLifetimeMs
        }
    }

    public struct Proposal: Equatable, Sendable {
        public let change: ValidatorChange
        /// Sorted by voter.
        public internal(set) var votes: [Vote]
        public var id: Hash32 { change.id }
    }

    /// Sorted by id.
    public internal(set) var proposals: [Proposal] = []

    /// The state-tree key of the record: not the keccak of any 20-byte address, so it cannot meet
    /// an account's key.
    public static let stateKey = Hash32.keccak(Array("quorate/governance/validator-votes".utf8))

    public init() {}

    public func encoded() -> [UInt8] {
        guard !proposals.isEmpty else { return [] }
        return RLP.encode(.list(proposals.map { p in
            .list([RLPItem(bytes: p.change.encoded()),
                   .list(p.votes.map { .list([RLPItem(bytes: $0.voter.bytes), RLPItem($0.height), RLPItem($0.timestampMs)]) })])
        }))
    }

    /// Decodes the record as this node itself wrote it; damage is an error, never a guess.
    public init(decoding bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        let items = try RLP.decode(bytes).listValue()
        guard items.count <= ValidatorGovernance.maxPendingProposals else {
            throw RLPError(description: "validator votes: \(items.count) proposals exceed \(ValidatorGovernance.maxPendingProposals)")
        }
        proposals = try items.map { item in
            let f = try item.listValue()
            guard f.count == 2 else { throw RLPError(description: "validator proposal: expected 2 fields, got \(f.count)") }
            let votes = try f[1].listValue()
            guard votes.count <= ValidatorSet.maxValidators else {
                throw RLPError(description: "validator proposal: \(votes.count) votes exceed \(ValidatorSet.maxValidators)")
            }
            return Proposal(change: try ValidatorChange(decoding: try f[0].bytesValue()), votes: try votes.map { v in
                let g = try v.listValue()
                guard g.count == 3 else { throw RLPError(description: "validator vote: expected 3 fields, got \(g.count)") }
                return Vote(voter: try g[0].addressValue(), height: try g[1].uint64Value(), timestampMs: try g[2].uint64Value())
            })
        }
    }

    /// The proposals as they stand at `timestampMs` under `validators`: expired votes and votes
    /// of addresses that are no longer validators dropped, proposals left without votes dropped.
    public func live(atMs timestampMs: UInt64, validators: ValidatorSet) -> PendingValidatorVotes {
        var out = self
        out.proposals = proposals.compactMap { proposal in
            var p = proposal
            p.votes = p.votes.filter { validators.contains($0.voter) && timestampMs < $0.expiresAtMs }
            return p.votes.isEmpty ? nil : p
        }
        return out
    }
}

/// Validator-set votes (transactions to `SystemAddress.validatorVotes`): the rules of
/// docs/permissioning.md section 9, applied in block execution and checked at submission.
public enum ValidatorGovernance {
    /// A vote counts until this long after the timestamp of the block that recorded it: 7 days.
    /// Time, not blocks, because the block rate follows the load (a block per 10 s heartbeat on
    /// an idle chain, hundreds a second under load); the header timestamp is the same on every node.
    public static let voteLifetimeMs: UInt64 = 7 * 24 * 3_600 * 1_000
    /// Proposals pending at once; a vote for a new one beyond it is refused.
    public static let maxPendingProposals = 64

    /// Voting power that passes a change: more than half of the current set's total power.
    public static func passingPower(_ validators: ValidatorSet) -> UInt64 { validators.totalPower / 2 + 1 }

    /// Applies `command` from `sender` to the record in `state`; on a passing vote, the change is
    /// applied to `state.validators.next`. Throws (state unchanged) what the sender could fix.
    public static func apply(_ command: ValidatorVoteCommand, sender: Address, state: inout StateOverlay) throws {
        guard var context = state.validators else {
            throw reject("validator votes are not accepted outside block execution")
        }
        var record = try PendingValidatorVotes(decoding: state.stateValue(PendingValidatorVotes.stateKey))
        try apply(command, sender: sender, context: &context, record: &record)
        state.validators = context
        state.setStateValue(PendingValidatorVotes.stateKey, record.encoded())
    }

    /// The rules on plain values, for block execution and for the submission check alike.
    public static func apply(_ command: ValidatorVoteCommand, sender: Address, context: inout ValidatorContext,
                             record: inout PendingValidatorVotes) throws {
        guard context.current.contains(sender) else {
            throw TransactionRejection(.notPermitted,
                                       "sender not authorized to vote on validators: \(sender) is not a validator at height \(context.height)")
        }
        record = record.live(atMs: context.timestampMs, validators: context.current)
        switch command {
        case .withdraw(let id):
            guard let i = record.proposals.firstIndex(where: { $0.id == id }),
                  record.proposals[i].votes.contains(where: { $0.voter == sender }) else {
                throw reject("\(sender) has no pending vote on proposal \(id)")
            }
            record.proposals[i].votes.removeAll { $0.voter == sender }
            if record.proposals[i].votes.isEmpty { record.proposals.remove(at: i) }
        case .vote(let change):
            do { _ = try context.next.applying(change) } catch { throw reject("\(change.description): \(error)") }
            let i = try proposalIndex(for: change, in: &record)
            func power() -> UInt64 {
                record.proposals[i].votes.reduce(UInt64(0)) { $0 + context.current.power(of: $1.voter) }
            }
            if record.proposals[i].votes.contains(where: { $0.voter == sender }) {
                // A repeat vote is refused, unless the votes already there pass now (the set
                // shrank since they were cast): then it applies the change.
                guard power() >= passingPower(context.current) else {
                    throw reject("\(sender) already voted to \(change.description)")
                }
            } else {
                record.proposals[i].votes.append(.init(voter: sender, height: context.height, timestampMs: context.timestampMs))
                record.proposals[i].votes.sort { $0.voter < $1.voter }
            }
            if power() >= passingPower(context.current) {
                context.next = try context.next.applying(change)
                context.passed.append(change)
                record.proposals.remove(at: i)
                // A proposal the change made impossible (adding the one just added, removing
                // the last validator) could never pass: drop it now rather than let it expire.
                record.proposals.removeAll { (try? context.next.applying($0.change)) == nil }
            }
        }
    }

    private static func proposalIndex(for change: ValidatorChange, in record: inout PendingValidatorVotes) throws -> Int {
        let id = change.id
        if let i = record.proposals.firstIndex(where: { $0.id == id }) { return i }
        guard record.proposals.count < maxPendingProposals else {
            throw reject("\(maxPendingProposals) proposals are pending, the limit; withdraw votes or wait for them to expire")
        }
        let i = record.proposals.firstIndex(where: { $0.id > id }) ?? record.proposals.count
        record.proposals.insert(.init(change: change, votes: []), at: i)
        return i
    }

    static func reject(_ why: String) -> TransactionRejection {
        TransactionRejection(.invalidSystemTransaction, "invalid validator vote: \(why)")
    }
}
