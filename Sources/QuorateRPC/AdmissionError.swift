import QuorateCore

/// Why a node refused a transaction, for RPC submissions and gossip alike: one case per thing the
/// sender can do about it. A case that carries text carries the whole message, as the shared
/// transaction rules (`TransactionRules`, also applied by block execution) word it. `message` is geth's wording, which wallets and libraries match on
/// (`eth_sendRawTransaction` answers it with code -32000); `reason` is the bounded label of
/// `quorate_mempool_rejected_total`.
public enum AdmissionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes are not a well-formed signed transaction (RLP, type, field or signature ranges).
    case malformed(String)
    /// The signature does not recover a sender.
    case invalidSender(String)
    /// Pooled or committed already: nothing to do.
    case alreadyKnown
    /// Not replay-protected (EIP-155): sign with the chain id.
    case unprotected(String)
    /// Signed for another chain.
    case wrongChainId(String)
    /// Data or initcode over the chain's limits; the rule's words name which.
    case oversized(String)
    case intrinsicGasTooLow(String)
    case exceedsBlockGasLimit(String)
    case tipAboveFeeCap(String)
    case feeCapBelowBaseFee(String)
    /// gas limit x fee cap + value does not fit 256 bits.
    case costOverflow
    case nonceTooLow(next: UInt64, got: UInt64)
    /// Further ahead of the account nonce than the pool keeps per sender.
    case nonceTooHigh(nonce: UInt64, accountNonce: UInt64, window: Int)
    case insufficientFunds(String)
    /// A same-nonce replacement must raise both fee fields by at least 10%.
    case replacementUnderpriced
    case poolFull
    case senderQueueFull(sender: Address, limit: Int)
    /// Account permissioning refuses the sender (a role is missing).
    case notPermitted(String)
    /// A transaction to a system address whose command is malformed or refused.
    case invalidSystemTransaction(String)
    /// The node could not read the state to decide: try again.
    case unavailable(String)
    /// Refused by a chain rule that admission does not raise itself; the message names it.
    case refused(String)

    /// geth's message for this refusal.
    public var message: String {
        switch self {
        case .malformed(let why): why
        case .invalidSender(let why): "invalid sender: \(why)"
        case .alreadyKnown: "already known"
        case .unprotected(let text), .wrongChainId(let text), .oversized(let text), .intrinsicGasTooLow(let text), .exceedsBlockGasLimit(let text), .tipAboveFeeCap(let text),
             .feeCapBelowBaseFee(let text),
             .insufficientFunds(let text), .notPermitted(let text), .invalidSystemTransaction(let text), .refused(let text):
            text
        case .costOverflow: "gas * price + value overflows 256 bits"
        case let .nonceTooLow(next, got): "nonce too low: next nonce \(next), tx nonce \(got)"
        case let .nonceTooHigh(nonce, accountNonce, window):
            "nonce too high: tx nonce \(nonce) is \(window) or more ahead of the account nonce \(accountNonce)"
        case .replacementUnderpriced: "replacement transaction underpriced"
        case .poolFull: "txpool is full"
        case let .senderQueueFull(sender, limit): "txpool is full for sender \(sender): \(limit) transactions pending"
        case .unavailable(let why): "the node could not read its state: \(why)"
        }
    }

    public var description: String { message }

    /// The metric label: stable, few values.
    public var reason: String {
        switch self {
        case .malformed: "invalid_transaction"
        case .invalidSender: "invalid_signature"
        case .alreadyKnown: "already_known"
        case .unprotected: "unprotected"
        case .wrongChainId: "wrong_chain_id"
        case .oversized: "oversized_data"
        case .intrinsicGasTooLow: "intrinsic_gas_too_low"
        case .exceedsBlockGasLimit: "gas_limit_too_high"
        case .tipAboveFeeCap: "tip_above_fee_cap"
        case .feeCapBelowBaseFee: "fee_cap_below_base_fee"
        case .costOverflow: "overflow"
        case .nonceTooLow: "nonce_too_low"
        case .nonceTooHigh: "nonce_too_high"
        case .insufficientFunds: "insufficient_funds"
        case .replacementUnderpriced: "replacement_underpriced"
        case .poolFull: "pool_full"
        case .senderQueueFull: "sender_queue_full"
        case .notPermitted: "not_permitted"
        case .invalidSystemTransaction: "invalid_system_transaction"
        case .unavailable, .refused: "other"
        }
    }
}
