import QuorateCLI

extension NodeCommands {
    /// The most `--proposal-build-ms-max` takes: past a minute a proposal outlives any propose timeout.
    static let proposalBuildMsMaxCeiling: UInt64 = 60_000

    /// `--txpool-max-transactions N` (as Besu's `--tx-pool-max-size`) and `--proposal-build-ms-max N`
    /// (as Besu's `--block-txs-selection-max-time`; 0: no bound but the chain's limits).
    static func loadOptions(_ args: inout CommandLineArguments, into config: inout NodeConfig) throws {
        if let text = args.option("txpool-max-transactions") {
            guard let n = Int(text), n >= 1, n <= Mempool.Limits.maxTransactionsCeiling else {
                throw CommandLineArguments.UsageError("--txpool-max-transactions must be 1...\(Mempool.Limits.maxTransactionsCeiling)")
            }
            config.mempoolLimits.maxTransactions = n
        }
        if let text = args.option("txpool-client-max-transactions") {
            guard let n = Int(text), n >= 1, n <= Mempool.Limits.maxTransactionsCeiling else {
                throw CommandLineArguments.UsageError("--txpool-client-max-transactions must be 1...\(Mempool.Limits.maxTransactionsCeiling)")
            }
            config.mempoolLimits.clientAdmissionMax = n
        }
        if let text = args.option("proposal-build-ms-max") {
            guard let ms = UInt64(text), ms <= proposalBuildMsMaxCeiling else {
                throw CommandLineArguments.UsageError("--proposal-build-ms-max must be 0...\(proposalBuildMsMaxCeiling) milliseconds (0: no bound but the chain's block limits)")
            }
            config.proposalBuildMsMax = ms
        }
    }
}
