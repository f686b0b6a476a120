import QuorateCore

/// An account's state: what the tree stores, RLP-encoded, under keccak256(address).
public struct Account: Equatable, Sendable {
    public var nonce: UInt64
    public var balance: UInt256
    /// Role bit flags (admin, transact, ...); their meaning belongs to permissioning, 0 = none.
    public var roles: UInt64

    public init(nonce: UInt64 = 0, balance: UInt256 = .zero, roles: UInt64 = 0) {
        self.nonce = nonce
        self.balance = balance
        self.roles = roles
    }

    public static let empty = Account()

    /// An empty account is not stored: the tree deletes its key, as EIP-161 removes empty accounts,
    /// so that "never touched" and "touched, left empty" commit to the same root.
    public var isEmpty: Bool { nonce == 0 && balance.isZero && roles == 0 }

    /// RLP list [nonce, balance, roles], integers minimal big-endian.
    public func encoded() -> [UInt8] {
        RLP.encode(.list([RLPItem(nonce), RLPItem(balance), RLPItem(roles)]))
    }

    /// Decodes the canonical encoding only (the RLP decoder refuses non-minimal integers), so one
    /// account has one encoding and therefore one leaf hash.
    public init(decoding bytes: [UInt8]) throws {
        do {
            let fields = try RLP.decode(bytes).listValue()
            guard fields.count == 3 else {
                throw StateError.malformedAccount("expected [nonce, balance, roles], got a list of \(fields.count) items")
            }
            self.init(nonce: try fields[0].uint64Value(), balance: try fields[1].uint256Value(), roles: try fields[2].uint64Value())
        } catch let error as RLPError {
            throw StateError.malformedAccount(error.description)
        }
    }
}
