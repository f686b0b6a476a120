import QuorateCore
import QuorateCrypto
import Testing

@Suite("Transaction")
struct TransactionTests {
    static let key = try! Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0x46, count: 32))
    static let to = try! Address(hex: "0x3535353535353535353535353535353535353535")

    static func transfer(_ type: TransactionType, chainId: UInt64? = 1) -> UnsignedTransaction {
        switch type {
        case .legacy:
            return UnsignedTransaction(type: .legacy, chainId: chainId, nonce: 9, gasPrice: 20_000_000_000, to: to,
                                       value: 1_000_000_000_000_000_000)
        case .accessList:
            return UnsignedTransaction(type: .accessList, chainId: chainId, nonce: 1, gasPrice: 7, gasLimit: 30_000,
                                       to: to, value: 5, data: [0, 1],
                                       accessList: [AccessListEntry(address: to, storageKeys: [.zero])])
        case .dynamicFee:
            return UnsignedTransaction(chainId: chainId, nonce: 2, maxPriorityFeePerGas: 2, maxFeePerGas: 10,
                                       to: to, value: 5)
        }
    }

    @Test("EIP-155's own example: signing hash, raw bytes and sender")
    func eip155Example() throws {
        let u = Self.transfer(.legacy)
        #expect(u.signingHash().hex == "0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53")
        let tx = try u.signed(with: Self.key)
        #expect(Hex.encode(tx.raw) == "f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83")
        #expect(tx.v == 37)
        #expect(tx.chainId == 1)
        #expect(try tx.recoverSender() == Address(Self.key.publicKey.ethereumAddress))
    }

    @Test("each type signs, decodes to an equal transaction and recovers the signer")
    func roundTrip() throws {
        let signer = Address(Self.key.publicKey.ethereumAddress)
        for type in TransactionType.allCases {
            let tx = try Self.transfer(type).signed(with: Self.key)
            let decoded = try Transaction.decode(raw: tx.raw)
            #expect(decoded == tx)
            #expect(decoded.unsigned == Self.transfer(type))
            #expect(decoded.hash == Hash32.keccak(tx.raw))
            #expect(try decoded.recoverSender() == signer)
            #expect(throws: Never.self) { try decoded.validateStateless(chainId: 1) }
            if type != .legacy { #expect(tx.raw.first == type.rawValue) }
        }
    }

    /// Recovery hashes the signed fields straight from the raw bytes: the list header it writes
    /// must be right for every size class (short list, 1- and 3-byte lengths) and every type.
    @Test("the signer recovers for every type, chain id form and list length")
    func recoveryAcrossListLengths() throws {
        let signer = Address(Self.key.publicKey.ethereumAddress)
        for dataCount in [0, 30, 200, 70_000] {
            for (type, chainId) in [(TransactionType.legacy, UInt64?.none), (.legacy, 1337), (.accessList, 5), (.dynamicFee, 1)] {
                var u = Self.transfer(type, chainId: chainId)
                u.data = (0..<dataCount).map { UInt8(truncatingIfNeeded: $0 * 7 + 1) }
                u.gasLimit = 2_000_000
                let decoded = try Transaction.decode(raw: try u.signed(with: Self.key).raw)
                #expect(decoded.unsigned == u, "type \(type), \(dataCount) data bytes")
                #expect(try decoded.recoverSender() == signer, "type \(type), chain id \(chainId.map(String.init) ?? "none"), \(dataCount) data bytes")
            }
        }
    }

    @Test("an unprotected legacy transaction decodes with no chain id and passes the stateless rules")
    func unprotectedLegacy() throws {
        let tx = try Self.transfer(.legacy, chainId: nil).signed(with: Self.key)
        #expect(tx.v == 27 || tx.v == 28)
        let decoded = try Transaction.decode(raw: tx.raw)
        #expect(decoded.chainId == nil)
        #expect(try decoded.recoverSender() == Address(Self.key.publicKey.ethereumAddress))
        #expect(throws: Never.self) { try decoded.validateStateless(chainId: 1) }
    }

    @Test("a transaction for another chain is refused with geth's message")
    func wrongChain() throws {
        let tx = try Self.transfer(.dynamicFee, chainId: 5).signed(with: Self.key)
        #expect(throws: TransactionError(description: "invalid chain id for signer: have 5 want 1")) {
            try tx.validateStateless(chainId: 1)
        }
    }

    @Test("the high-S twin of a valid signature is refused (EIP-2)")
    func highS() throws {
        let tx = try Self.transfer(.dynamicFee).signed(with: Self.key)
        let n = UInt256(hexQuantity: "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")!
        let twin = try Transaction(unsigned: tx.unsigned, v: 1 - tx.v, r: tx.r, s: n - tx.s)
        let decoded = try Transaction.decode(raw: twin.raw)
        #expect(throws: TransactionError.self) { try decoded.recoverSender() }
        #expect(throws: TransactionError.self) { try decoded.validateStateless() }
    }

    @Test("v must agree with the type and chain id")
    func vConsistency() throws {
        let tx = try Self.transfer(.legacy).signed(with: Self.key)
        #expect(throws: TransactionError.self) { try Transaction(unsigned: tx.unsigned, v: 27, r: tx.r, s: tx.s) }
        #expect(throws: TransactionError.self) { try Transaction(unsigned: tx.unsigned, v: 39, r: tx.r, s: tx.s) }
        let typed = Self.transfer(.accessList)
        #expect(throws: TransactionError.self) { try Transaction(unsigned: typed, v: 2, r: tx.r, s: tx.s) }
        #expect(throws: TransactionError.self) { try Transaction(unsigned: typed, v: 27, r: tx.r, s: tx.s) }
    }

    /// A typed payload with every field under the test's control.
    static func typedRaw(_ type: UInt8, chainId: RLPItem = RLPItem(1), yParity: RLPItem = RLPItem(0)) -> [UInt8] {
        let fields: [RLPItem] = [chainId, RLPItem(0), RLPItem(1), RLPItem(2), RLPItem(21_000), RLPItem(to),
                                 RLPItem(0), RLPItem(bytes: []), .list([]), yParity, RLPItem(1), RLPItem(1)]
        return [type] + RLP.encode(.list(fields))
    }

    @Test("typed envelopes: unknown types, y parity above 1, huge chain ids and trailing bytes are refused")
    func typedEnvelope() throws {
        #expect(throws: Never.self) { try Transaction.decode(raw: Self.typedRaw(2)) }
        #expect(throws: TransactionError(description: "transaction type not supported")) {
            try Transaction.decode(raw: Self.typedRaw(3))
        }
        #expect(throws: TransactionError(description: "transaction type not supported")) {
            try Transaction.decode(raw: Self.typedRaw(0))
        }
        #expect(throws: TransactionError(description: "typed transaction too short")) { try Transaction.decode(raw: []) }
        #expect(throws: TransactionError(description: "typed transaction too short")) { try Transaction.decode(raw: [2]) }
        #expect(throws: TransactionError.self) { try Transaction.decode(raw: Self.typedRaw(2, yParity: RLPItem(2))) }
        #expect(throws: TransactionError.self) { try Transaction.decode(raw: Self.typedRaw(2) + [0]) }
        let bigChain = RLPItem(UInt256(UInt64.max) + 1)
        let error = #expect(throws: TransactionError.self) { try Transaction.decode(raw: Self.typedRaw(2, chainId: bigChain)) }
        #expect(error?.description.contains("above 2^64-1") == true)
    }

    /// The transaction decoder reads its fields in place instead of building RLP items; every
    /// structural fault must still be refused with the general decoder's reason.
    @Test("a truncated or corrupted transaction is refused with the reason the RLP decoder gives")
    func structuralFaultsMatchTheRLPDecoder() throws {
        var deep: RLPItem = .list([])
        for _ in 0..<RLP.maxDepth { deep = .list([deep]) }
        var legacyDeep = try RLP.decode(try Self.transfer(.legacy).signed(with: Self.key).raw).listValue()
        legacyDeep[5] = deep
        let samples: [(raw: [UInt8], payloadStart: Int)] = [
            (try Self.transfer(.legacy).signed(with: Self.key).raw, 0),
            (try Self.transfer(.accessList).signed(with: Self.key).raw, 1),
            (RLP.encode(.list(legacyDeep)), 0),
        ]
        var compared = 0
        for (raw, payloadStart) in samples {
            var variants: [[UInt8]] = (payloadStart + 1..<raw.count).map { Array(raw[..<$0]) }
            variants.append(raw + [0x80])
            for i in payloadStart + 1..<raw.count {
                for b: UInt8 in [0x00, 0x7f, 0x80, 0x81, 0xb8, 0xbf, 0xc0, 0xf8, 0xff] {
                    var v = raw
                    v[i] = b
                    variants.append(v)
                }
            }
            for v in variants {
                let payload = Array(v[payloadStart...])
                let rlpError: RLPError
                do { _ = try RLP.decode(payload); continue } catch let e as RLPError { rlpError = e }
                let error = #expect(throws: TransactionError.self) { try Transaction.decode(raw: v) }
                #expect(error?.description == rlpError.description, "input \(Hex.encode(v))")
                compared += 1
            }
        }
        #expect(compared > 1_000)
    }

    @Test("a field of the wrong form is refused with geth's words, naming the first bad field in decoding order")
    func fieldFaults() throws {
        let legacy = try RLP.decode(try Self.transfer(.legacy).signed(with: Self.key).raw).listValue()
        let typed = try RLP.decode(Array(try Self.transfer(.accessList).signed(with: Self.key).raw.dropFirst())).listValue()
        func legacyWith(_ change: (inout [RLPItem]) -> Void) -> [UInt8] {
            var f = legacy
            change(&f)
            return RLP.encode(.list(f))
        }
        func accessListWith(_ change: (inout [RLPItem]) -> Void) -> [UInt8] {
            var f = typed
            change(&f)
            return [1] + RLP.encode(.list(f))
        }
        let cases: [([UInt8], String)] = [
            (legacyWith { $0[0] = .bytes([0, 1]) }, "rlp: non-canonical integer (leading zero bytes), decoding legacy transaction field nonce"),
            (legacyWith { $0[3] = .bytes([UInt8](repeating: 7, count: 21)) }, "rlp: input string too long for address (21 of 20 bytes), decoding legacy transaction field to"),
            (legacyWith { $0[3] = .bytes([7]) }, "rlp: input string too short for address (1 of 20 bytes), decoding legacy transaction field to"),
            (legacyWith { $0[0] = .list([]) }, "rlp: expected String or Byte, decoding legacy transaction field nonce"),
            (legacyWith { $0[2] = .bytes([UInt8](repeating: 1, count: 9)) }, "rlp: uint overflow, decoding legacy transaction field gasLimit"),
            (legacyWith { $0.removeLast() }, "rlp: too few elements for legacy transaction: 8, expected 9"),
            (legacyWith { $0.append(.bytes([])) }, "rlp: input list has too many elements for legacy transaction: 10, expected 9"),
            // v is read first, then the fields in order: a bad v hides a bad nonce.
            (legacyWith { $0[6] = .list([]); $0[0] = .bytes([0, 1]) }, "rlp: expected String or Byte, decoding legacy transaction field v"),
            (legacyWith { $0[0] = .bytes([0, 1]); $0[3] = .bytes([7]) }, "rlp: non-canonical integer (leading zero bytes), decoding legacy transaction field nonce"),
            (accessListWith { $0[7] = .bytes([]) }, "rlp: expected List, decoding access-list transaction field accessList"),
            (accessListWith { $0[7] = .list([.list([.bytes([UInt8](repeating: 7, count: 20))])]) },
             "rlp: access list entry needs 2 elements (address, storage keys), got 1, decoding access-list transaction field accessList"),
        ]
        for (raw, message) in cases {
            #expect(throws: TransactionError(description: message)) { try Transaction.decode(raw: raw) }
        }
    }

    @Test("a legacy v implying a chain id above 2^64-1 is refused with a clear error")
    func hugeLegacyChainId() throws {
        let tx = try Self.transfer(.legacy).signed(with: Self.key)
        var fields = try RLP.decode(tx.raw).listValue()
        fields[6] = RLPItem(UInt256(UInt64.max) * 2 + 35 + 2)  // chain id 2^64
        let error = #expect(throws: TransactionError.self) { try Transaction.decode(raw: RLP.encode(.list(fields))) }
        #expect(error?.description.contains("above 2^64-1") == true)
    }

    @Test("input above Transaction.maxEncodedBytes is refused before parsing")
    func oversized() throws {
        var u = Self.transfer(.dynamicFee)
        u.data = [UInt8](repeating: 1, count: Transaction.maxEncodedBytes)
        u.gasLimit = 30_000_000
        let tx = try u.signed(with: Self.key)
        let error = #expect(throws: TransactionError.self) { try Transaction.decode(raw: tx.raw) }
        #expect(error?.description.hasPrefix("oversized data") == true)
        #expect(throws: TransactionError.self) { try tx.validateStateless() }
    }

    @Test("intrinsic gas: 16 per non-zero byte, 4 per zero byte, access list entries, creation")
    func intrinsicGas() {
        var u = Self.transfer(.legacy)
        #expect(u.intrinsicGas == 21_000)
        u.data = [0, 0, 1, 2, 3]
        #expect(u.intrinsicGas == 21_000 + 2 * 4 + 3 * 16)
        #expect(Self.transfer(.accessList).intrinsicGas == 21_000 + 4 + 16 + 2_400 + 1_900)
        u.to = nil
        #expect(u.intrinsicGas == 53_000 + 2 * 4 + 3 * 16 + 2)  // one initcode word (EIP-3860)
    }

    @Test("fees: legacy and type 1 pay their gas price; type 2 pays min(fee cap, base fee + tip)")
    func fees() throws {
        let legacy = try Self.transfer(.legacy).signed(with: Self.key)
        #expect(legacy.maxFeePerGas == 20_000_000_000)
        #expect(legacy.maxPriorityFeePerGas == 20_000_000_000)
        #expect(legacy.effectiveGasPrice(baseFee: 7) == 20_000_000_000)
        let dynamic = try Self.transfer(.dynamicFee).signed(with: Self.key)  // tip 2, cap 10
        #expect(dynamic.gasPrice == 10)
        #expect(dynamic.effectiveGasPrice(baseFee: 0) == 2)
        #expect(dynamic.effectiveGasPrice(baseFee: 5) == 7)
        #expect(dynamic.effectiveGasPrice(baseFee: 9) == 10)
        #expect(dynamic.effectiveGasPrice(baseFee: .max) == 10)  // base + tip overflows: capped
        #expect(dynamic.feeCap == UInt256(21_000) * 10 + 5)
    }

    @Test("fee cap overflow: gas * fee cap refused statelessly; a huge value only empties feeCap")
    func feeCapOverflow() throws {
        var u = Self.transfer(.dynamicFee)
        u.maxFeePerGas = .max
        u.maxPriorityFeePerGas = 1
        let tx = try u.signed(with: Self.key)
        #expect(tx.feeCap == nil)
        let error = #expect(throws: TransactionError.self) { try tx.validateStateless() }
        #expect(error?.description.hasPrefix("gas * maxFeePerGas exceeds 256 bits") == true)
        var rich = Self.transfer(.dynamicFee)
        rich.value = .max
        let big = try rich.signed(with: Self.key)
        #expect(big.feeCap == nil)
        #expect(throws: Never.self) { try big.validateStateless() }
    }

    @Test("stateless rules: nonce at 2^64-1, tip above fee cap, gas below intrinsic")
    func statelessRules() throws {
        var u = Self.transfer(.dynamicFee)
        u.nonce = .max
        #expect(throws: TransactionError(description: "nonce has max value: nonce 18446744073709551615")) {
            try u.signed(with: Self.key).validateStateless()
        }
        u = Self.transfer(.dynamicFee)
        u.maxPriorityFeePerGas = 11
        let tip = #expect(throws: TransactionError.self) { try u.signed(with: Self.key).validateStateless() }
        #expect(tip?.description.hasPrefix("max priority fee per gas higher than max fee per gas") == true)
        u = Self.transfer(.dynamicFee)
        u.gasLimit = 20_999
        #expect(throws: TransactionError(description: "intrinsic gas too low: gas 20999, minimum needed 21000")) {
            try u.signed(with: Self.key).validateStateless()
        }
    }

    @Test("fields a type cannot encode are refused, not dropped")
    func shapeChecks() {
        var legacy = Self.transfer(.legacy)
        legacy.accessList = [AccessListEntry(address: Self.to)]
        #expect(throws: TransactionError.self) { try legacy.signed(with: Self.key) }
        var dynamic = Self.transfer(.dynamicFee)
        dynamic.gasPrice = 1
        #expect(throws: TransactionError.self) { try dynamic.signed(with: Self.key) }
        #expect(throws: TransactionError.self) { try Self.transfer(.accessList, chainId: nil).signed(with: Self.key) }
        #expect(throws: TransactionError.self) { try Self.transfer(.dynamicFee, chainId: nil).signed(with: Self.key) }
    }
}
