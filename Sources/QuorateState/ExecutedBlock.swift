import QuorateCore

/// A block together with what executing it produced: what the store writes when it commits.
public struct ExecutedBlock: Sendable {
    public let block: Block
    public let senders: [Address]
    public let receipts: [Receipt]
    /// Accounts whose value changed, sorted by address (the flat state table).
    public let changedAccounts: [(Address, Account)]
    /// New state-commitment nodes; the block's state root is `stateUpdate.newRoot`.
    public let stateUpdate: StateUpdate
    /// Contract code first stored by this block, by hash (written beside the state nodes).
    public var newCode: [(hash: Hash32, code: [UInt8])] = []
    /// The set of the next height when validator votes in this block changed it (the header's
    /// `nextValidatorsHash` is its hash); nil when it stays the same.
    public var nextValidators: ValidatorSet? = nil
    /// The validator changes that passed in this block, in order.
    public var passedChanges: [ValidatorChange] = []
}

public struct BlockValidationError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// What the chain's parameters fix for every block: read from genesis, later from governance.
public struct ChainRules: Sendable {
    public let chainId: UInt64
    public let consensus: ConsensusParams
    public let fees: FeeParams
    /// With account permissioning on, only accounts with the `transact` role may send
    /// transactions, and admins manage roles through `SystemAddress.permissions`.
    public let accountPermissioning: Bool

    public init(chainId: UInt64, consensus: ConsensusParams, fees: FeeParams, accountPermissioning: Bool = false) {
        self.chainId = chainId
        self.consensus = consensus
        self.fees = fees
        self.accountPermissioning = accountPermissioning
    }

    public init(genesis: Genesis) {
        self.init(chainId: genesis.chainId, consensus: genesis.consensus, fees: genesis.fees,
                  accountPermissioning: genesis.permissioning.accountPermissioning)
    }
}

/// The state a block executes against: the parent's header, its validators, and readers for its
/// post-state.
public struct ParentState {
    public let header: BlockHeader
    public let validators: ValidatorSet
    public let nextValidators: ValidatorSet
    public let accounts: AccountReader
    public let nodes: StateNodeReader
    /// Committed block hashes by height, for BLOCKHASH.
    public var blockHashes: @Sendable (UInt64) -> Hash32? = { _ in nil }

    public init(header: BlockHeader, validators: ValidatorSet, nextValidators: ValidatorSet,
                accounts: AccountReader, nodes: StateNodeReader) {
        self.header = header
        self.validators = validators
        self.nextValidators = nextValidators
        self.accounts = accounts
        self.nodes = nodes
    }
}
