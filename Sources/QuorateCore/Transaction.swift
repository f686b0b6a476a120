import QuorateCrypto

/// A signed Ethereum transaction: legacy (with or without EIP-155), EIP-2930 or EIP-1559.
///
/// Only two ways to make one: `decode(raw:)` and `init(unsigned:v:r:s:)` (used by signing).
/// Both guarantee that `raw` is the canonical encoding of the fields, that `hash` is its
/// keccak256, and that `v` is consistent with the type and chain id. Whether the signature
/// recovers to a sender is `recoverSender()`'s business, and the Ethereum rules that need no
/// state are `validateStateless(chainId:)`'s.
public struct Transaction: Equatable, Sendable {
    /// Largest encoding accepted, as geth's txpool (4 slots of 32 KiB).
    public static let maxEncodedBytes = 128 * 1024

    public let unsigned: UnsignedTransaction
    /// Legacy: as encoded (27/28, or chainId * 2 + 35/36). Typed: the y parity, 0 or 1.
    public let v: UInt256
    public let r: UInt256
    public let s: UInt256
    /// The canonical encoding: the legacy RLP list, or type byte || RLP payload.
    public let raw: [UInt8]
    /// keccak256(raw).
    public let hash: Hash32
    /// Derived from `v` once, when `v` is checked.
    let recoveryId: UInt8

    /// Assembles and encodes a signed transaction. Throws if `v` does not fit the type and chain
    /// id, or the fields do not fit the type. Does not check the signature itself.
    public init(unsigned: UnsignedTransaction, v: UInt256, r: UInt256, s: UInt256) throws {
        try unsigned.checkShape()
        let (chainId, recoveryId) = try Transaction.chainIdAndRecoveryId(type: unsigned.type, v: v)
        guard unsigned.type != .legacy || chainId == unsigned.chainId else {
            throw TransactionError.invalidSignature(
                "v \(v) encodes chain id \(chainId.map(String.init) ?? "none"), the fields say \(unsigned.chainId.map(String.init) ?? "none")")
        }
        let raw = Transaction.encode(unsigned: unsigned, v: v, r: r, s: s)
        self.init(unsigned: unsigned, v: v, r: r, s: s, recoveryId: recoveryId, raw: raw)
    }

    /// For decoding, where `raw` is the input itself (strict RLP makes it canonical).
    init(unsigned: UnsignedTransaction, v: UInt256, r: UInt256, s: UInt256, recoveryId: UInt8, raw: [UInt8]) {
        self.unsigned = unsigned
        self.v = v
        self.r = r
        self.s = s
        self.recoveryId = recoveryId
        self.raw = raw
        self.hash = Hash32.keccak(raw)
    }

    /// Every field is a function of `raw`, so comparing the bytes compares everything.
    public static func == (a: Transaction, b: Transaction) -> Bool { a.raw == b.raw }

    // MARK: Field accessors

    public var type: TransactionType { unsigned.type }
    /// Nil for an unprotected legacy transaction (valid Ethereum; Quorate's mempool refuses it).
    public var chainId: UInt64? { unsigned.chainId }
    public var nonce: UInt64 { unsigned.nonce }
    public var gasLimit: UInt64 { unsigned.gasLimit }
    public var to: Address? { unsigned.to }
    public var value: UInt256 { unsigned.value }
    public var data: [UInt8] { unsigned.data }
    public var accessList: [AccessListEntry] { unsigned.accessList }

    /// Legacy and access-list: the gas price. Dynamic-fee: the fee cap, as geth's `GasPrice()`.
    public var gasPrice: UInt256 { type == .dynamicFee ? unsigned.maxFeePerGas : unsigned.gasPrice }
    /// Legacy and access-list: the gas price (they pay it whole).
    public var maxFeePerGas: UInt256 { type == .dynamicFee ? unsigned.maxFeePerGas : unsigned.gasPrice }
    /// Legacy and access-list: the gas price (everything above the base fee is tip).
    public var maxPriorityFeePerGas: UInt256 {
        type == .dynamicFee ? unsigned.maxPriorityFeePerGas : unsigned.gasPrice
    }

    // MARK: v

    /// EIP-155: chain id = (v - 35) / 2 and recovery id = (v - 35) % 2; 27/28 is unprotected.
    /// Typed transactions carry the chain id as a field and only the parity in v: nil for them.
    static func chainIdAndRecoveryId(type: TransactionType, v: UInt256) throws -> (UInt64?, UInt8) {
        if type != .legacy {
            guard let parity = v.uint64, parity <= 1 else {
                throw TransactionError.invalidSignature("y parity must be 0 or 1, got \(v)")
            }
            return (nil, UInt8(parity))
        }
        if v == 27 || v == 28 { return (nil, UInt8(v.uint64! - 27)) }
        guard v >= 35 else {
            throw TransactionError.invalidSignature(
                "v is \(v); expected 27 or 28, or chainId * 2 + 35 or 36 (EIP-155)")
        }
        let (q, rem) = (v - 35).quotientAndRemainder(dividingBy: 2)
        guard let chainId = q.uint64 else {
            throw TransactionError("chain id \(q) (from v \(v)) is above 2^64-1, which Quorate does not support")
        }
        return (chainId, UInt8(rem.uint64!))
    }

    /// The v to encode for a signature with this recovery id.
    static func v(type: TransactionType, chainId: UInt64?, recoveryId: UInt8) -> UInt256 {
        precondition(recoveryId <= 1)
        guard type == .legacy else { return UInt256(UInt64(recoveryId)) }
        guard let chainId else { return UInt256(27 + UInt64(recoveryId)) }
        return UInt256(chainId) * 2 + UInt256(35 + UInt64(recoveryId))
    }
}
