import QuorateCore

/// An account's state: what the tree stores, RLP-encoded, under keccak256(address).
///
/// A contract account also commits to its code (by hash; the code itself is kept by hash beside
/// the tree) and to its storage (the root of its own storage tree, docs/contracts.md). An
/// account with neither keeps the short three-field encoding, so plain accounts cost nothing
/// for the EVM's existence.
public struct Account: Equatable, Sendable {
    public var nonce: UInt64
    public var balance: UInt256
    /// Role bit flags (admin, transact, ...); their meaning belongs to permissioning, 0 = none.
    public var roles: UInt64
    /// Code hash and storage root, only for an account with code or storage: a plain account
    /// carries nil, so copying and comparing the accounts of transfers costs what it did
    /// before contracts.
    private var contract: ContractFields?

    struct ContractFields: Equatable, Sendable {
        var codeHash: Hash32
        var storageRoot: Hash32
    }

    /// keccak256 of the code; `Account.emptyCodeHash` for an account without code.
    public var codeHash: Hash32 {
        get { contract?.codeHash ?? Account.emptyCodeHash }
        set { setContract(codeHash: newValue, storageRoot: storageRoot) }
    }

    /// Root of the account's storage tree; `SparseMerkleTree.emptyRoot` when it has no storage.
    public var storageRoot: Hash32 {
        get { contract?.storageRoot ?? SparseMerkleTree.emptyRoot }
        set { setContract(codeHash: codeHash, storageRoot: newValue) }
    }

    private mutating func setContract(codeHash: Hash32, storageRoot: Hash32) {
        contract = codeHash == Account.emptyCodeHash && storageRoot == SparseMerkleTree.emptyRoot
            ? nil : ContractFields(codeHash: codeHash, storageRoot: storageRoot)
    }

    public init(nonce: UInt64 = 0, balance: UInt256 = .zero, roles: UInt64 = 0) {
        self.nonce = nonce
        self.balance = balance
        self.roles = roles
    }

    public init(nonce: UInt64 = 0, balance: UInt256 = .zero, roles: UInt64 = 0, codeHash: Hash32,
                storageRoot: Hash32 = SparseMerkleTree.emptyRoot) {
        self.init(nonce: nonce, balance: balance, roles: roles)
        setContract(codeHash: codeHash, storageRoot: storageRoot)
    }

    public static let empty = Account()
    /// keccak256 of no bytes.
    public static let emptyCodeHash = Hash32.keccak([])

    public var hasCode: Bool { contract.map { $0.codeHash != Account.emptyCodeHash } ?? false }
    var isPlain: Bool { contract == nil }

    /// An empty account is not stored: the tree deletes its key, as EIP-161 removes empty accounts,
    /// so that "never touched" and "touched, left empty" commit to the same root.
    public var isEmpty: Bool { nonce == 0 && balance.isZero && roles == 0 && isPlain }

    /// RLP list [nonce, balance, roles], or [nonce, balance, roles, codeHash, storageRoot] for an
    /// account with code or storage; integers minimal big-endian.
    public func encoded() -> [UInt8] {
        if isPlain { return RLP.encode(.list([RLPItem(nonce), RLPItem(balance), RLPItem(roles)])) }
        return RLP.encode(.list([RLPItem(nonce), RLPItem(balance), RLPItem(roles), RLPItem(codeHash), RLPItem(storageRoot)]))
    }

    /// Decodes the canonical encoding only (the RLP decoder refuses non-minimal integers, and a
    /// five-field list must carry code or storage), so one account has one encoding and therefore
    /// one leaf hash.
    public init(decoding bytes: [UInt8]) throws {
        do {
            let fields = try RLP.decode(bytes).listValue()
            guard fields.count == 3 || fields.count == 5 else {
                throw StateError.malformedAccount("expected [nonce, balance, roles] or [nonce, balance, roles, codeHash, storageRoot], got a list of \(fields.count) items")
            }
            self.init(nonce: try fields[0].uint64Value(), balance: try fields[1].uint256Value(), roles: try fields[2].uint64Value())
            if fields.count == 5 {
                setContract(codeHash: try fields[3].hash32Value(), storageRoot: try fields[4].hash32Value())
                guard !isPlain else {
                    throw StateError.malformedAccount("a five-field account must have code or storage")
                }
            }
        } catch let error as RLPError {
            throw StateError.malformedAccount(error.description)
        }
    }
}
