import QuorateCore

/// One account of a test's pre-state.
public struct TestAccount: Sendable, Equatable {
    public var balance: UInt256
    public var nonce: UInt64
    public var code: [UInt8]
    /// Zero values are dropped when loading: an absent slot and a zero slot are the same state.
    public var storage: [UInt256: UInt256]

    public init(balance: UInt256, nonce: UInt64, code: [UInt8], storage: [UInt256: UInt256]) {
        self.balance = balance
        self.nonce = nonce
        self.code = code
        self.storage = storage
    }
}

/// The block a state test's transaction runs in.
public struct TestEnvironment: Sendable {
    public var coinbase: Address
    public var gasLimit: UInt64
    public var number: UInt64
    public var timestamp: UInt64
    public var baseFee: UInt256
    /// currentRandom, or currentDifficulty as a 32-byte word when a test predates the merge.
    public var prevRandao: Hash32
    public var excessBlobGas: UInt64
}

/// An EIP-2930 access list entry.
public struct TestAccessListEntry: Sendable, Equatable {
    public var address: Address
    public var storageKeys: [UInt256]
}

/// The transaction of a state test, with one entry per index for data, gas limit and value.
/// Numbers the runner must range-check itself (a gas limit over 2^64-1 is an invalid
/// transaction in a test, not a malformed file) are kept as minimal big-endian bytes.
public struct TestTransaction: Sendable {
    public var data: [[UInt8]]
    public var gasLimit: [[UInt8]]
    public var value: [[UInt8]]
    /// One per data entry when present; nil entries mean an empty list.
    public var accessLists: [[TestAccessListEntry]?]?
    public var nonce: [UInt8]
    public var to: Address?
    public var sender: Address
    public var gasPrice: [UInt8]?
    public var maxFeePerGas: [UInt8]?
    public var maxPriorityFeePerGas: [UInt8]?
    public var blobVersionedHashes: [Hash32]?
    public var maxFeePerBlobGas: [UInt8]?
}

/// One expected result: a (data, gas, value) index triple of one fork.
public struct TestPostCase: Sendable {
    public var dataIndex: Int
    public var gasIndex: Int
    public var valueIndex: Int
    public var stateRoot: Hash32
    public var logsHash: Hash32
    public var txBytes: [UInt8]?
    public var expectException: String?
}

/// One named test of a state test file, with the cases of the fork it was loaded for.
public struct StateTest: Sendable {
    public var name: String
    public var environment: TestEnvironment
    /// Sorted by address.
    public var pre: [(address: Address, account: TestAccount)]
    public var transaction: TestTransaction
    public var cases: [TestPostCase]
}
