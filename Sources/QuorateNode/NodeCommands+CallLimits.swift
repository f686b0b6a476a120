import QuorateCLI
import QuorateRPC

extension NodeCommands {
    /// `--rpc-gascap N` (0: no cap) and `--rpc-evmtimeout-ms N`, as geth's `--rpc.gascap` and
    /// `--rpc.evmtimeout`: the bounds of eth_call, eth_estimateGas and debug_traceCall.
    static func parseCallLimits(_ args: inout CommandLineArguments, into config: inout NodeConfig) throws {
        if let cap = args.option("rpc-gascap") {
            guard let v = UInt64(cap) else { throw CommandLineArguments.UsageError("--rpc-gascap must be a gas amount (0: no cap)") }
            config.callLimits.gasCap = v
        }
        if let timeout = args.option("rpc-evmtimeout-ms") {
            guard let v = UInt64(timeout), v > 0 else { throw CommandLineArguments.UsageError("--rpc-evmtimeout-ms must be a positive number of milliseconds") }
            config.callLimits.timeoutMs = v
        }
    }
}
