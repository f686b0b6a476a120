import QuorateCrypto

/// The fields a sender signs. One struct for the three types: fields a type does not carry
/// (`gasPrice` for dynamic-fee, the two EIP-1559 fees for the others, the access list for
/// legacy) must stay zero/empty, and `signed(with:)` refuses otherwise rather than drop them.
public struct UnsignedTransaction: Equatable, Sendable {
    public var type: TransactionType
    /// Nil only for an unprotected (pre-EIP-155) legacy transaction; typed ones always carry it.
    public var chainId: UInt64?
    public var nonce: UInt64
    /// Legacy and access-list transactions.
    public var gasPrice: UInt256
    /// Dynamic-fee transactions.
    public var maxPriorityFeePerGas: UInt256
    /// Dynamic-fee transactions.
    public var maxFeePerGas: UInt256
    public var gasLimit: UInt64
    /// Nil is contract creation: decoded and hashed like Ethereum, refused by Quorate's rules.
    public var to: Address?
    public var value: UInt256
    public var data: [UInt8]
    /// Access-list and dynamic-fee transactions.
    public var accessList: [AccessListEntry]

    public init(type: TransactionType = .dynamicFee, chainId: UInt64?, nonce: UInt64 = 0,
                gasPrice: UInt256 = .zero, maxPriorityFeePerGas: UInt256 = .zero,
                maxFeePerGas: UInt256 = .zero, gasLimit: UInt64 = 21_000, to: Address?,
                value: UInt256 = .zero, data: [UInt8] = [], accessList: [AccessListEntry] = []) {
        self.type = type
        self.chainId = chainId
        self.nonce = nonce
        self.gasPrice = gasPrice
        self.maxPriorityFeePerGas = maxPriorityFeePerGas
        self.maxFeePerGas = maxFeePerGas
        self.gasLimit = gasLimit
        self.to = to
        self.value = value
        self.data = data
        self.accessList = accessList
    }

    /// The fields of the RLP list before the signature, in the order of the type's EIP.
    var payloadFields: [RLPItem] {
        let toItem = to.map { RLPItem($0) } ?? RLPItem(bytes: [])
        switch type {
        case .legacy:
            return [RLPItem(nonce), RLPItem(gasPrice), RLPItem(gasLimit), toItem, RLPItem(value),
                    RLPItem(bytes: data)]
        case .accessList:
            return [RLPItem(typedChainId), RLPItem(nonce), RLPItem(gasPrice), RLPItem(gasLimit), toItem,
                    RLPItem(value), RLPItem(bytes: data), .list(accessList.map(\.rlp))]
        case .dynamicFee:
            return [RLPItem(typedChainId), RLPItem(nonce), RLPItem(maxPriorityFeePerGas),
                    RLPItem(maxFeePerGas), RLPItem(gasLimit), toItem, RLPItem(value), RLPItem(bytes: data),
                    .list(accessList.map(\.rlp))]
        }
    }

    private var typedChainId: UInt64 {
        guard let chainId else { preconditionFailure("a typed transaction always has a chain id") }
        return chainId
    }

    /// keccak256 of what the sender signs: EIP-155's 9-field list for protected legacy
    /// transactions, the 6-field list for unprotected ones, type byte || RLP for typed ones.
    /// A typed transaction without a chain id is a programming error here (`signed(with:)`
    /// and decoding refuse it with an error first).
    public func signingHash() -> Hash32 {
        var fields = payloadFields
        switch type {
        case .legacy:
            if let chainId { fields += [RLPItem(chainId), RLPItem(bytes: []), RLPItem(bytes: [])] }
            return Hash32.keccak(RLP.encodeList(fields))
        case .accessList, .dynamicFee:
            return Hash32.keccak([type.rawValue] + RLP.encodeList(fields))
        }
    }

    /// Refuses field combinations the type cannot encode, so nothing set by the caller is lost.
    func checkShape() throws {
        switch type {
        case .legacy:
            guard accessList.isEmpty else {
                throw TransactionError("a legacy transaction cannot carry an access list; use type 1 or 2")
            }
            guard maxFeePerGas.isZero, maxPriorityFeePerGas.isZero else {
                throw TransactionError("a legacy transaction has gasPrice, not maxFeePerGas/maxPriorityFeePerGas")
            }
        case .accessList:
            guard chainId != nil else { throw TransactionError("an access-list transaction needs a chain id") }
            guard maxFeePerGas.isZero, maxPriorityFeePerGas.isZero else {
                throw TransactionError("an access-list transaction has gasPrice, not maxFeePerGas/maxPriorityFeePerGas")
            }
        case .dynamicFee:
            guard chainId != nil else { throw TransactionError("a dynamic-fee transaction needs a chain id") }
            guard gasPrice.isZero else {
                throw TransactionError("a dynamic-fee transaction has maxFeePerGas/maxPriorityFeePerGas, not gasPrice")
            }
        }
    }

    /// Signs with an RFC 6979 deterministic nonce: the same fields and key give the same bytes
    /// as geth or eth-account.
    public func signed(with key: Secp256k1.PrivateKey) throws -> Transaction {
        try checkShape()
        let sig = try key.sign(hash: signingHash().bytes)
        // Recovery ids 2 and 3 need r >= n, probability about 2^-127; Ethereum cannot encode them.
        precondition(sig.recoveryId <= 1, "secp256k1 returned recovery id \(sig.recoveryId)")
        guard let r = UInt256(bigEndian: sig.r), let s = UInt256(bigEndian: sig.s) else {
            preconditionFailure("secp256k1 r and s are 32 bytes")
        }
        return try Transaction(unsigned: self, v: Transaction.v(type: type, chainId: chainId, recoveryId: sig.recoveryId),
                               r: r, s: s)
    }
}
