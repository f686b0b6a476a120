import QuorateCrypto

extension Transaction {
    /// secp256k1's group order n, and n / 2: EIP-2 refuses s above it (the other of the two
    /// valid s values), so a signature cannot be altered into a second valid one.
    static let curveOrder = UInt256(hexQuantity: "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")!
    static let halfCurveOrder = curveOrder / 2

    /// Recovers the signer's address: costs one secp256k1 recovery (about 45 us), so callers
    /// recover once and keep the result. Refuses r or s outside 1..<n, and s > n/2 (EIP-2).
    public func recoverSender() throws -> Address {
        try checkSignatureValues()
        let address: [UInt8]
        do {
            address = try Secp256k1.recoverAddress(hash: unsigned.signingHash().bytes, r: r.bigEndianBytes,
                                                   s: s.bigEndianBytes, recoveryId: recoveryId)
        } catch {
            throw TransactionError.invalidSignature("no sender can be recovered (\(error))")
        }
        return Address(address)
    }

    /// The ranges alone, without the curve arithmetic (v was checked when the value was made).
    func checkSignatureValues() throws {
        guard !r.isZero, r < Transaction.curveOrder else {
            throw TransactionError.invalidSignature("r must be in 1 ..< n (the secp256k1 order)")
        }
        guard !s.isZero, s < Transaction.curveOrder else {
            throw TransactionError.invalidSignature("s must be in 1 ..< n (the secp256k1 order)")
        }
        guard s <= Transaction.halfCurveOrder else {
            throw TransactionError.invalidSignature("s is above n/2 (high-S signatures are refused since EIP-2)")
        }
    }
}
