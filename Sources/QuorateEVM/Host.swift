import QuorateCore

/// The world state the EVM reads and writes: accounts, code and storage, plus the hashes of
/// recent blocks. Transaction-scoped state (warm sets, original storage values, transient
/// storage, logs, refunds, the selfdestruct and touched sets, and the journal that undoes a
/// reverted frame) is the EVM's own, so a host is a plain key-value view with no snapshots.
///
/// The chain's state overlay is one host; the state-test runner's in-memory world is another.
/// Every write the EVM makes goes through these setters, and a reverted frame is undone by
/// writing the old values back, so a host never sees a partial frame after `execute` returns.
public protocol EVMHost: AnyObject {
    /// True when the account is in the state (even with nonce 0, balance 0 and no code).
    func accountExists(_ address: Address) -> Bool
    func balance(of address: Address) -> UInt256
    func nonce(of address: Address) -> UInt64
    func code(at address: Address) -> [UInt8]
    /// keccak256 of the code (keccak of the empty string for an account without code).
    func codeHash(at address: Address) -> Hash32
    /// The current value of a slot (zero when unset).
    func storage(of address: Address, key: UInt256) -> UInt256
    /// True when any slot of the account is non-zero (a CREATE/CREATE2 collision, EIP-7610).
    func hasStorage(_ address: Address) -> Bool
    /// The hash of block `number`; the EVM only asks for the 256 blocks before the current one.
    func blockHash(number: UInt64) -> Hash32

    /// Creates the account if it does not exist (nonce 0, balance 0, no code, no storage).
    func createAccount(_ address: Address)
    func setBalance(_ address: Address, _ value: UInt256)
    func setNonce(_ address: Address, _ value: UInt64)
    func setCode(_ address: Address, _ code: [UInt8])
    func setStorage(of address: Address, key: UInt256, value: UInt256)
    /// Removes the account with its code and all of its storage.
    func deleteAccount(_ address: Address)
}

/// What the block gives every transaction in it (Cancun).
public struct BlockContext: Sendable {
    public var coinbase: Address
    public var number: UInt64
    /// Seconds.
    public var timestamp: UInt64
    public var gasLimit: UInt64
    public var baseFee: UInt256
    /// What PREVRANDAO (formerly DIFFICULTY) pushes. On a Quorate chain this is the parent
    /// block's hash (DESIGN.md section 13); a state test supplies its own.
    public var prevRandao: Hash32
    public var chainId: UInt256
    /// BLOBBASEFEE. A Quorate chain carries no blobs and uses the minimum, 1.
    public var blobBaseFee: UInt256

    public init(coinbase: Address, number: UInt64, timestamp: UInt64, gasLimit: UInt64,
                baseFee: UInt256, prevRandao: Hash32, chainId: UInt256, blobBaseFee: UInt256 = 1) {
        self.coinbase = coinbase
        self.number = number
        self.timestamp = timestamp
        self.gasLimit = gasLimit
        self.baseFee = baseFee
        self.prevRandao = prevRandao
        self.chainId = chainId
        self.blobBaseFee = blobBaseFee
    }
}

/// One log record emitted by LOG0-LOG4: the receipt's own `Log` type, so the chain keeps what
/// the EVM emits without converting it.
public typealias EVMLog = QuorateCore.Log
