/// Ethereum's gas and fee rules that need no account state.
extension UnsignedTransaction {
    /// 21000 (53000 for contract creation) + 16 per non-zero and 4 per zero data byte (EIP-2028)
    /// + 2400 per access-list address and 1900 per storage key (EIP-2930) + 2 per 32-byte word
    /// of initcode for creation (EIP-3860).
    public var intrinsicGas: UInt64 {
        var gas: UInt64 = to == nil ? Transaction.creationGas : Transaction.baseGas
        var zeros = 0
        for b in data where b == 0 { zeros += 1 }
        gas += UInt64(zeros) * 4 + UInt64(data.count - zeros) * 16
        if to == nil { gas += 2 * UInt64((data.count + 31) / 32) }
        return gas + accessList.accessListGas
    }
}

extension Transaction {
    public static let baseGas: UInt64 = 21_000
    public static let creationGas: UInt64 = 53_000
    /// EIP-3860: 2 * 24576, the largest initcode a creation may carry.
    public static let maxInitCodeBytes = 49_152

    public var intrinsicGas: UInt64 { unsigned.intrinsicGas }

    /// What the sender pays per gas: min(maxFeePerGas, baseFee + tip). Assumes the caller has
    /// checked maxFeePerGas >= baseFee (otherwise the result is below the base fee).
    public func effectiveGasPrice(baseFee: UInt256) -> UInt256 {
        let (sum, overflow) = baseFee.addingReportingOverflow(maxPriorityFeePerGas)
        return overflow ? maxFeePerGas : Swift.min(maxFeePerGas, sum)
    }

    /// gasLimit * maxFeePerGas + value: the balance the sender needs (geth's balance check).
    /// Nil when it exceeds 2^256-1: no account can pay it (geth: insufficient funds, "required
    /// balance exceeds 256 bits").
    public var feeCap: UInt256? {
        let (fee, o1) = UInt256(gasLimit).multipliedReportingOverflow(by: maxFeePerGas)
        let (total, o2) = fee.addingReportingOverflow(value)
        return o1 || o2 ? nil : total
    }

    /// The Ethereum rules that need no state and no curve arithmetic, cheapest first so that junk
    /// is refused before anyone pays for a recovery: size, chain id, r and s ranges (EIP-2),
    /// nonce (EIP-2681), initcode size (EIP-3860), intrinsic gas, tip <= fee cap (EIP-1559),
    /// and gas * fee cap within 256 bits. With `chainId`, a protected or typed transaction must
    /// carry that chain id (unprotected legacy passes here; refusing it is the mempool's policy).
    /// Quorate's own rules (no contract creation, data limits, base fee) live in its state layer.
    public func validateStateless(chainId expected: UInt64? = nil) throws {
        guard raw.count <= Transaction.maxEncodedBytes else { throw TransactionError.oversized(raw.count) }
        if let expected, let chainId, chainId != expected {
            throw TransactionError("invalid chain id for signer: have \(chainId) want \(expected)")
        }
        try checkSignatureValues()
        guard nonce < UInt64.max else { throw TransactionError("nonce has max value: nonce \(nonce)") }
        if to == nil && data.count > Transaction.maxInitCodeBytes {
            throw TransactionError(
                "max initcode size exceeded: code size \(data.count) limit \(Transaction.maxInitCodeBytes)")
        }
        guard gasLimit >= intrinsicGas else {
            throw TransactionError("intrinsic gas too low: gas \(gasLimit), minimum needed \(intrinsicGas)")
        }
        guard maxPriorityFeePerGas <= maxFeePerGas else {
            throw TransactionError("max priority fee per gas higher than max fee per gas: "
                + "maxPriorityFeePerGas: \(maxPriorityFeePerGas), maxFeePerGas: \(maxFeePerGas)")
        }
        // Only the fee part: a value near 2^256 makes the sum overflow too, but that is an
        // unaffordable transfer (insufficient funds, a state check), not a malformed transaction.
        guard !UInt256(gasLimit).multipliedReportingOverflow(by: maxFeePerGas).overflow else {
            throw TransactionError("gas * maxFeePerGas exceeds 256 bits: gas \(gasLimit), maxFeePerGas \(maxFeePerGas)")
        }
    }
}
