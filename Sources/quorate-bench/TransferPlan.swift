import QuorateCore

/// Which transfer has which sender, nonce and recipient. Transfer `i` is sent by sender
/// `i % senders` with that sender's next nonce, so any prefix of the transfers leaves every
/// sender's nonces without gaps. Recipients form a ring over the bench accounts: value moves
/// between them and their total only changes by the fees.
struct TransferPlan: Sendable {
    let chainId: UInt64
    let senders: [BenchAccount]
    let startNonces: [UInt64]
    let maxFeePerGas: UInt256
    let valueWei: UInt256
    let count: Int
    /// `--workload erc20`: each transfer is a call of this token's `transfer(recipient, 1)`.
    var token: Address? = nil

    static let gasLimit: UInt64 = 21_000
    var gasPerTransfer: UInt64 { token == nil ? TransferPlan.gasLimit : ERC20Setup.transferGas }

    func sender(of i: Int) -> Int { i % senders.count }
    func nonce(of i: Int) -> UInt64 { startNonces[sender(of: i)] + UInt64(i / senders.count) }
    func recipient(of i: Int) -> Address { senders[(sender(of: i) + 1) % senders.count].address }

    func unsigned(_ i: Int) -> UnsignedTransaction {
        if let token {
            return UnsignedTransaction(type: .dynamicFee, chainId: chainId, nonce: nonce(of: i), maxPriorityFeePerGas: .zero,
                                       maxFeePerGas: maxFeePerGas, gasLimit: ERC20Setup.transferGas, to: token, value: .zero,
                                       data: BenchToken.transferCall(to: recipient(of: i), amount: UInt256(1)))
        }
        return UnsignedTransaction(type: .dynamicFee, chainId: chainId, nonce: nonce(of: i), maxPriorityFeePerGas: .zero,
                            maxFeePerGas: maxFeePerGas, gasLimit: TransferPlan.gasLimit, to: recipient(of: i),
                            value: valueWei)
    }

    /// How many of the first `submitted` transfers sender `s` sent.
    func sentCount(sender s: Int, submitted: Int) -> Int {
        submitted / senders.count + (s < submitted % senders.count ? 1 : 0)
    }

    /// The most one sender spends over the whole plan: what it must hold before the run.
    var maxCostPerSender: UInt256 {
        let perTransfer = valueWei + maxFeePerGas * UInt256(gasPerTransfer)
        return perTransfer * UInt256(UInt64((count + senders.count - 1) / senders.count))
    }
}
