import QuorateCLI
import QuorateStorage

extension NodeCommands {
    /// `--state-retention-heights N|all` and `--block-retention-heights N`.
    static func retentionOptions(_ args: inout CommandLineArguments, into config: inout NodeConfig, logger: Logger) throws {
        if let text = args.option("state-retention-heights") {
            if text == "all" {
                config.stateRetentionHeights = nil
            } else {
                guard let n = UInt64(text), n >= 2 else {
                    throw CommandLineArguments.UsageError("--state-retention-heights must be a number of heights >= 2, or `all` to keep every state (an archive node)")
                }
                config.stateRetentionHeights = n
            }
        }
        if let text = args.option("block-retention-heights") {
            guard let n = UInt64(text), n >= ChainStore.blockHashWindow else {
                throw CommandLineArguments.UsageError("--block-retention-heights must be a number of heights >= \(ChainStore.blockHashWindow): BLOCKHASH reads the last \(ChainStore.blockHashWindow) blocks, and blocks executed again after a restart must see them")
            }
            config.blockRetentionHeights = n
            if args.flag("non-voting") == false {
                logger.warn("node", "--block-retention-heights on a validator: peers that fall more than \(n) blocks behind cannot catch up from it, and `export` cannot go below height \(n) behind the head")
            }
        }
    }
}
