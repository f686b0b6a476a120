/// Consensus timing and block limits, from genesis. Names carry their unit.
public struct ConsensusParams: Equatable, Sendable {
    public var timeoutProposeMs: UInt64 = 1_000
    public var timeoutPrevoteMs: UInt64 = 500
    public var timeoutPrecommitMs: UInt64 = 500
    /// Added per round, so timeouts grow linearly with the round ...
    public var timeoutDeltaMs: UInt64 = 500
    /// ... up to this cap, so a network that heals after an hour resumes within one capped timeout.
    public var timeoutMaxMs: UInt64 = 10_000
    /// Minimum time between two blocks; 0 lets a block follow its parent at once.
    public var blockIntervalMsMin: UInt64 = 0
    /// With no transactions waiting, a block is still made after this long (0: never).
    public var heartbeatIntervalMs: UInt64 = 10_000
    public var maxBlockTransactions: UInt64 = 10_000
    public var maxBlockBytes: UInt64 = 8 << 20

    public init() {}
}

/// Fee and transaction limits, from genesis.
public struct FeeParams: Equatable, Sendable {
    /// Zero by default: a consortium "free gas" network, as Besu allows.
    public var baseFeePerGas: UInt256 = .zero
    public var blockGasLimit: UInt64 = 10_000_000_000
    /// `data` carried by a transaction is kept, so it is bounded. 128 KiB as geth's transaction
    /// size limit: room for initcode up to EIP-3860's 48 KiB with constructor arguments.
    public var maxTransactionDataBytes: UInt64 = 128 * 1024

    public init() {}
}
