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
            address = try Secp256k1.recoverAddress(hash: signingHashFromRaw().bytes, r: r.bigEndianBytes,
                                                   s: s.bigEndianBytes, recoveryId: recoveryId)
        } catch {
            throw TransactionError.invalidSignature("no sender can be recovered (\(error))")
        }
        return Address(address)
    }

    /// `unsigned.signingHash()`, read from `raw`: the signed fields' encodings are already there,
    /// in order, before v, so they are hashed as they are instead of encoded again (this runs
    /// once per transaction per node).
    func signingHashFromRaw() -> Hash32 {
        let vIndex = type == .legacy ? 6 : type == .accessList ? 8 : 9
        let list: (spans: [RLPSpan], count: Int)?
        do {
            list = try raw.withUnsafeBufferPointer {
                try RLP.listSpans($0, from: type == .legacy ? 0 : 1, keep: vIndex + 1)
            }
        } catch {
            preconditionFailure("a transaction's raw bytes are its canonical encoding: \(error)")
        }
        guard let spans = list?.spans, spans.count == vIndex + 1 else {
            preconditionFailure("a transaction's raw bytes are a list with a v field")
        }
        let signed = raw[spans[0].headerStart..<spans[vIndex].headerStart]
        // EIP-155: the chain id and two empty strings stand where v, r and s are.
        let suffix = type == .legacy ? chainId.map { RLP.encode(RLPItem($0)) + [0x80, 0x80] } ?? [] : []
        var payload: [UInt8] = []
        payload.reserveCapacity(signed.count + suffix.count + 10)
        if type != .legacy { payload.append(type.rawValue) }
        RLP.appendHeader(signed.count + suffix.count, shortBase: 0xc0, to: &payload)
        payload.append(contentsOf: signed)
        payload.append(contentsOf: suffix)
        return Hash32.keccak(payload)
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
