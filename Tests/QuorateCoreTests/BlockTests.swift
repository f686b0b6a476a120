import QuorateCore
import QuorateCrypto
import QuorateTestSupport
import Testing

@Suite("blocks and headers")
struct BlockTests {
    static let chainId: UInt64 = 1337

    static let header = BlockHeader(
        chainId: chainId, height: 12, timestampMs: 1_700_000_000_123, parentHash: TestKeys.hash(1),
        proposer: TestKeys.addr(2), transactionsRoot: TestKeys.hash(3), receiptsRoot: TestKeys.hash(4),
        stateRoot: TestKeys.hash(5), validatorsHash: TestKeys.hash(6), nextValidatorsHash: TestKeys.hash(7),
        lastCommitHash: TestKeys.hash(8), gasLimit: 30_000_000, gasUsed: 42_000,
        baseFeePerGas: UInt256(decimal: "1000000000000000000000000000000")!)

    static func transactions() throws -> [Transaction] {
        let key = TestKeys.key(11)
        return [
            try UnsignedTransaction(type: .dynamicFee, chainId: chainId, nonce: 0, maxPriorityFeePerGas: 1, maxFeePerGas: 2,
                                    to: TestKeys.addr(9), value: 5).signed(with: key),
            try UnsignedTransaction(type: .legacy, chainId: chainId, nonce: 1, gasPrice: 3, gasLimit: 21_064,
                                    to: TestKeys.addr(9), value: 6, data: [1, 2, 3, 4]).signed(with: key),
            try UnsignedTransaction(type: .accessList, chainId: chainId, nonce: 2, gasPrice: 3, to: TestKeys.addr(10),
                                    value: 7).signed(with: key),
        ]
    }

    static func certificate() throws -> CommitCertificate {
        try TestKeys.certificate(height: 11, round: 2, block: TestKeys.hash(1), signers: TestKeys.validators(4).keys,
                                 chainId: chainId)
    }

    @Test("header RLP round trip keeps every field and the hash")
    func headerRoundTrip() throws {
        let decoded = try BlockHeader(rlp: try RLP.decode(Self.header.encoded()))
        #expect(decoded == Self.header)
        #expect(decoded.hash == Self.header.hash)
        #expect(Self.header.hash == Hash32.keccak(Self.header.encoded()))
        var extremes = Self.header
        extremes.chainId = .max
        extremes.height = .max
        extremes.timestampMs = .max
        extremes.gasLimit = .max
        extremes.gasUsed = 0
        extremes.baseFeePerGas = .max
        #expect(try BlockHeader(rlp: try RLP.decode(extremes.encoded())) == extremes)
    }

    @Test("the block hash changes with every header field")
    func hashCoversEveryField() throws {
        let base = Self.header.hash
        let mutations: [(String, (inout BlockHeader) -> Void)] = [
            ("chainId", { $0.chainId += 1 }), ("height", { $0.height += 1 }), ("timestampMs", { $0.timestampMs += 1 }),
            ("parentHash", { $0.parentHash = TestKeys.hash(0x91) }), ("proposer", { $0.proposer = TestKeys.addr(0x92) }),
            ("transactionsRoot", { $0.transactionsRoot = TestKeys.hash(0x93) }),
            ("receiptsRoot", { $0.receiptsRoot = TestKeys.hash(0x94) }), ("stateRoot", { $0.stateRoot = TestKeys.hash(0x95) }),
            ("validatorsHash", { $0.validatorsHash = TestKeys.hash(0x96) }),
            ("nextValidatorsHash", { $0.nextValidatorsHash = TestKeys.hash(0x97) }),
            ("lastCommitHash", { $0.lastCommitHash = TestKeys.hash(0x98) }), ("gasLimit", { $0.gasLimit += 1 }),
            ("gasUsed", { $0.gasUsed += 1 }), ("baseFeePerGas", { $0.baseFeePerGas = $0.baseFeePerGas + 1 }),
        ]
        #expect(mutations.count == 14, "one mutation per header field")
        var seen: Set<Hash32> = [base]
        for (name, mutate) in mutations {
            var h = Self.header
            mutate(&h)
            #expect(h != Self.header, "\(name)")
            #expect(seen.insert(h.hash).inserted, "changing \(name) must change the hash")
        }
    }

    @Test("block RLP round trip: header, transactions of all three types, and last commit")
    func blockRoundTrip() throws {
        let txs = try Self.transactions()
        var header = Self.header
        header.transactionsRoot = Block.transactionsRoot(txs)
        let block = Block(header: header, transactions: txs, lastCommit: try Self.certificate())
        let decoded = try Block(decoding: block.encoded())
        #expect(decoded == block)
        #expect(decoded.hash == block.hash && decoded.hash == header.hash)
        #expect(decoded.height == 12)
        #expect(decoded.transactions.map(\.hash) == txs.map(\.hash))
        #expect(decoded.encoded() == block.encoded())

        let bare = Block(header: Self.header, transactions: [], lastCommit: nil)
        let decodedBare = try Block(decoding: bare.encoded())
        #expect(decodedBare == bare && decodedBare.lastCommit == nil)
    }

    @Test("transactions root is the Merkle root of the transaction hashes")
    func transactionsRoot() throws {
        let txs = try Self.transactions()
        #expect(Block.transactionsRoot(txs) == MerkleRoot.compute(txs.map(\.hash)))
        #expect(Block.transactionsRoot([]) == .zero)
        #expect(Block.transactionsRoot(Array(txs.reversed())) != Block.transactionsRoot(txs))
    }

    @Test("block decoding refuses malformed input with a clear error")
    func malformedBlocks() throws {
        let txs = try Self.transactions()
        let block = Block(header: Self.header, transactions: txs, lastCommit: try Self.certificate())
        guard case .list(let fields) = try RLP.decode(block.encoded()), case .list(let headerFields) = fields[0] else {
            Issue.record("not a list"); return
        }
        expectError(containing: "rlp: empty input") { _ = try Block(decoding: []) }
        expectError(containing: "expected List") { _ = try Block(decoding: RLP.encode(.bytes([1, 2, 3]))) }
        expectError(containing: "block: expected 3 fields, got 2") { _ = try Block(decoding: RLP.encode(.list(Array(fields.prefix(2))))) }
        expectError(containing: "block: expected 3 fields, got 4") { _ = try Block(decoding: RLP.encode(.list(fields + [.list([])]))) }
        expectError(containing: "block header: expected 15 fields, got 14") {
            _ = try Block(decoding: RLP.encode(.list([.list(Array(headerFields.prefix(14))), fields[1], fields[2]])))
        }
        expectError(containing: "more than one value") { _ = try Block(decoding: block.encoded() + [0x80]) }
        expectError(containing: "rlp:") { _ = try Block(decoding: Array(block.encoded().dropLast())) }
        expectError(containing: "malformed last commit") {
            _ = try Block(decoding: RLP.encode(.list([fields[0], fields[1], .list([try Self.certificate().rlp, try Self.certificate().rlp])])))
        }
        // A transaction that is not a transaction.
        expectError(containing: "") { _ = try Block(decoding: RLP.encode(.list([fields[0], .list([.bytes([0x05, 0x01])]), .list([])]))) }
        expectError(containing: "") { _ = try Block(decoding: RLP.encode(.list([fields[0], .list([.list([])]), .list([])]))) }
        // A header field of the wrong width.
        var badParent = headerFields
        badParent[3] = .bytes([1, 2, 3])
        expectError(containing: "") { _ = try Block(decoding: RLP.encode(.list([.list(badParent), fields[1], fields[2]]))) }
        var badProposer = headerFields
        badProposer[4] = .bytes([UInt8](repeating: 1, count: 21))
        expectError(containing: "") { _ = try Block(decoding: RLP.encode(.list([.list(badProposer), fields[1], fields[2]]))) }
        var bigHeight = headerFields
        bigHeight[1] = RLPItem(UInt256.max)
        expectError(containing: "uint overflow") { _ = try Block(decoding: RLP.encode(.list([.list(bigHeight), fields[1], fields[2]]))) }
    }

    @Test("block decoding refuses oversized input and too many transactions before decoding them")
    func oversizedBlocks() throws {
        let huge = [UInt8](repeating: 0, count: Block.maxEncodedBytes + 1)
        expectError(containing: "exceeds the limit of \(Block.maxEncodedBytes)") { _ = try Block(decoding: huge) }
        let many = RLP.encode(.list([Self.header.rlp, .list(Array(repeating: .bytes([]), count: Block.maxTransactions + 1)), .list([])]))
        expectError(containing: "carries \(Block.maxTransactions + 1) transactions, over the limit of \(Block.maxTransactions)") {
            _ = try Block(decoding: many)
        }
    }

    @Test("receipt RLP round trip, with and without a recipient")
    func receiptRoundTrip() throws {
        let r = Receipt(transactionHash: TestKeys.hash(1), type: .dynamicFee, status: 1, from: TestKeys.addr(2), to: TestKeys.addr(3),
                        gasUsed: 21_000, cumulativeGasUsed: 63_000, effectiveGasPrice: 7)
        #expect(try Receipt(rlp: try RLP.decode(r.encoded())) == r)
        var noTo = r
        noTo.to = nil
        noTo.type = .legacy
        noTo.status = 0
        #expect(try Receipt(rlp: try RLP.decode(noTo.encoded())) == noTo)
        #expect(Receipt.root([r, noTo]) == MerkleRoot.compute([Hash32.keccak(r.encoded()), Hash32.keccak(noTo.encoded())]))
        #expect(Receipt.root([]) == .zero)
    }

    @Test("receipt decoding refuses a wrong field count, an unknown type and out-of-range type or status")
    func malformedReceipts() throws {
        let r = Receipt(transactionHash: TestKeys.hash(1), type: .accessList, status: 1, from: TestKeys.addr(2), to: TestKeys.addr(3),
                        gasUsed: 21_000, cumulativeGasUsed: 21_000, effectiveGasPrice: 7)
        guard case .list(let f) = r.rlp else { Issue.record("not a list"); return }
        expectError(containing: "expected 10 fields, got 9") { _ = try Receipt(rlp: .list(Array(f.prefix(9)))) }
        var unknown = f
        unknown[1] = RLPItem(3)
        expectError(containing: "unknown transaction type") { _ = try Receipt(rlp: .list(unknown)) }
        // 0x101 must not wrap around to type 1, nor status 0x101 to status 1.
        var wideType = f
        wideType[1] = RLPItem(0x101)
        expectError(containing: "unknown transaction type 257") { _ = try Receipt(rlp: .list(wideType)) }
        var wideStatus = f
        wideStatus[2] = RLPItem(0x101)
        expectError(containing: "status must be 0 or 1, got 257") { _ = try Receipt(rlp: .list(wideStatus)) }
    }
}

@Suite("blocks at the limits")
struct BlockLimitTests {
    /// A signed transfer whose raw encoding is exactly `size` bytes (data tuned to fit).
    static func transaction(rawSize size: Int, nonce: UInt64) throws -> Transaction {
        let key = TestKeys.key(12)
        var dataLength = max(0, size - 120)
        for _ in 0..<8 {
            let tx = try UnsignedTransaction(chainId: 1, nonce: nonce, gasLimit: 21_000 + 16 * UInt64(dataLength), to: TestKeys.addr(1),
                                             data: [UInt8](repeating: 0xaa, count: dataLength)).signed(with: key)
            if tx.raw.count == size { return tx }
            dataLength += size - tx.raw.count
        }
        throw RLPError(description: "could not make a transaction of \(size) bytes")
    }

    @Test("a block full to the largest genesis limits (64 MiB of transactions, 256 signatures) still decodes")
    func fullBlockDecodes() throws {
        let big = try Self.transaction(rawSize: 120_000, nonce: 0)
        var count = Block.maxTransactionBytes / big.raw.count
        var rest = Block.maxTransactionBytes - count * big.raw.count
        if rest < 200 { count -= 1; rest += big.raw.count }
        let filler = try Self.transaction(rawSize: rest, nonce: 1)
        let transactions = Array(repeating: big, count: count) + [filler]
        #expect(transactions.reduce(0) { $0 + $1.raw.count } == Block.maxTransactionBytes)

        let signature = try Vote.sign(chainId: 1, type: .precommit, height: 1, round: 0, blockHash: .zero, key: TestKeys.key(1)).signature
        let signatures = (0..<ValidatorSet.maxValidators).map { i in
            CommitSignature(validator: Address([UInt8](repeating: 0xff, count: 18) + [UInt8(i >> 8), UInt8(i & 0xff)]), signature: signature)
        }
        let header = BlockHeader(chainId: .max, height: .max, timestampMs: .max, parentHash: TestKeys.hash(1), proposer: TestKeys.addr(2),
                                 transactionsRoot: TestKeys.hash(3), receiptsRoot: TestKeys.hash(4), stateRoot: TestKeys.hash(5),
                                 validatorsHash: TestKeys.hash(6), nextValidatorsHash: TestKeys.hash(7), lastCommitHash: TestKeys.hash(8),
                                 gasLimit: .max, gasUsed: .max, baseFeePerGas: .max)
        let block = Block(header: header, transactions: transactions,
                          lastCommit: CommitCertificate(height: .max, round: .max, blockHash: TestKeys.hash(9), signatures: signatures))
        let encoded = block.encoded()
        #expect(encoded.count > Block.maxTransactionBytes)
        #expect(encoded.count <= Block.maxEncodedBytes)
        let decoded = try Block(decoding: encoded)
        #expect(decoded.transactions.count == transactions.count && decoded.header == header)
    }

    @Test("the envelope allowance covers the most transactions a block may carry")
    func envelopeAllowance() throws {
        // Each transaction is an RLP string: at most 1 + 4 header bytes (lengths below 2^32).
        let perTransaction = 5
        let header = RLP.encode(BlockTests.header.rlp).count + 64
        let certificate = 9 + ValidatorSet.maxValidators * (2 + 21 + 66) + 64
        #expect(Block.maxEncodedBytes - Block.maxTransactionBytes >= Block.maxTransactions * perTransaction + header + certificate + 3 * 9)
    }
}
