import QuorateConsensus
import QuorateCore
import QuorateCrypto
import Testing

@Suite struct CompactProposalTests {
    let chain = TestChain(n: 4)
    static let sender = try! Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [0x33])

    static func transfers(_ count: Int) -> [Transaction] {
        (0..<count).map { nonce in
            try! UnsignedTransaction(chainId: TestChain.chainId, nonce: UInt64(nonce), gasLimit: 21_000,
                                     to: Address([UInt8](repeating: 0xab, count: 20)), value: 1).signed(with: sender)
        }
    }

    /// A block of `transactions` whose header names their root, with a last commit when asked.
    func block(_ transactions: [Transaction], height: UInt64 = 2, withCommit: Bool = true) -> Block {
        let header = BlockHeader(
            chainId: TestChain.chainId, height: height, timestampMs: 1_000 * height, parentHash: .keccak([1]),
            proposer: chain.address(0), transactionsRoot: Block.transactionsRoot(transactions), receiptsRoot: .zero,
            stateRoot: .keccak([2]), validatorsHash: chain.validators.hash, nextValidatorsHash: chain.validators.hash,
            lastCommitHash: .zero, gasLimit: 1_000_000, gasUsed: 0, baseFeePerGas: .zero)
        let parentHash = Hash32.keccak([9])
        let commit = CommitCertificate(height: height - 1, round: 0, blockHash: parentHash, signatures: (0..<3).map { i in
            CommitSignature(validator: chain.address(i), signature: chain.vote(i, .precommit, height: height - 1, round: 0, parentHash).signature)
        })
        return Block(header: header, transactions: transactions, lastCommit: withCommit ? commit : nil)
    }

    func compact(_ transactions: [Transaction], validRound: UInt32? = nil, withCommit: Bool = true) -> (Proposal, CompactProposal) {
        let proposal = chain.proposal(1, height: 2, round: 3, validRound: validRound, block(transactions, withCommit: withCommit))
        return (proposal, CompactProposal(proposal))
    }

    /// The wire fields of a compact proposal with `hashBytes` as its hash list.
    func encoded(hashBytes: [UInt8]) -> [UInt8] {
        let (_, c) = compact([])
        return RLP.encode(.list([
            RLPItem(CompactProposal.kind), RLPItem(c.height), RLPItem(UInt64(c.round)), .list([]), c.header.rlp,
            .list([]), RLPItem(bytes: hashBytes), RLPItem(c.proposer), RLPItem(bytes: c.signature.compact65),
        ]))
    }

    @Test("a compact proposal survives the wire and rebuilds the signed proposal with the same block hash")
    func roundTrip() throws {
        let txs = Self.transfers(5)
        for (validRound, withCommit) in [(nil, true), (UInt32(1), false)] as [(UInt32?, Bool)] {
            let (proposal, c) = compact(txs, validRound: validRound, withCommit: withCommit)
            let decoded = try CompactProposal(decoding: c.encoded())
            #expect(decoded == c)
            #expect(decoded.transactionHashes == txs.map(\.hash))
            let rebuilt = decoded.proposal(transactions: txs)
            #expect(rebuilt == proposal)
            #expect(rebuilt.block == proposal.block)
            #expect(rebuilt.hasValidSignature(chainId: TestChain.chainId))
            #expect(try ConsensusWire(decoding: c.encoded()) == .compactProposal(c))
        }
    }

    @Test("the wire sends proposals compact (32 bytes a transaction) and votes as they are")
    func wireForm() throws {
        let txs = Self.transfers(50)
        let (proposal, c) = compact(txs)
        let full = ConsensusMessage.proposal(proposal).encoded()
        let onWire = ConsensusWire.encoded(.proposal(proposal))
        #expect(onWire == c.encoded())
        #expect(full.count - onWire.count >= txs.reduce(0) { $0 + $1.raw.count } - 33 * txs.count)
        let vote = chain.vote(2, .prevote, round: 1, proposal.blockHash)
        #expect(ConsensusWire.encoded(.vote(vote)) == ConsensusMessage.vote(vote).encoded())
        #expect(try ConsensusWire(decoding: ConsensusWire.encoded(.vote(vote))) == .vote(vote))
    }

    @Test("every truncation of a compact proposal is refused with an error")
    func truncations() {
        let bytes = compact(Self.transfers(3)).1.encoded()
        for length in 0..<bytes.count {
            #expect(throws: (any Error).self, "truncated to \(length) bytes") {
                try CompactProposal(decoding: Array(bytes.prefix(length)))
            }
            #expect(throws: (any Error).self, "truncated to \(length) bytes") {
                try ConsensusWire(decoding: Array(bytes.prefix(length)))
            }
        }
        #expect(throws: (any Error).self) { try CompactProposal(decoding: bytes + [0]) }
    }

    @Test("a hash list that is not whole hashes, names a transaction twice or more than a block holds is refused")
    func badHashLists() throws {
        let h = Hash32.keccak([7]).bytes, g = Hash32.keccak([8]).bytes
        #expect(try CompactProposal(decoding: encoded(hashBytes: h + g)).transactionHashes.count == 2)
        Self.expectRefused("not a whole number") { _ = try CompactProposal(decoding: encoded(hashBytes: h + [1, 2, 3])) }
        Self.expectRefused("twice") { _ = try CompactProposal(decoding: encoded(hashBytes: h + g + h)) }
        Self.expectRefused("twice") { _ = try ConsensusWire(decoding: encoded(hashBytes: h + h)) }
        var many: [UInt8] = []
        many.reserveCapacity(32 * (Block.maxTransactions + 1))
        for i in 0...Block.maxTransactions { many += Hash32.keccak(withUnsafeBytes(of: UInt32(i)) { Array($0) }).bytes }
        Self.expectRefused("over the limit of \(Block.maxTransactions)") { _ = try CompactProposal(decoding: encoded(hashBytes: many)) }
        #expect(try CompactProposal(decoding: encoded(hashBytes: Array(many.dropLast(32)))).transactionHashes.count == Block.maxTransactions)
    }

    @Test("bad fields, full proposals, unknown kinds and oversize payloads are refused on the wire")
    func badFields() throws {
        let (proposal, c) = compact(Self.transfers(2))
        Self.expectRefused("full proposal") { _ = try ConsensusWire(decoding: ConsensusMessage.proposal(proposal).encoded()) }
        Self.expectRefused("unknown kind 9") { _ = try ConsensusWire(decoding: RLP.encode(.list([RLPItem(9)]))) }
        Self.expectRefused("empty") { _ = try ConsensusWire(decoding: RLP.encode(.list([]))) }
        Self.expectRefused("expected 9 fields") { _ = try CompactProposal(decoding: RLP.encode(.list([RLPItem(CompactProposal.kind)]))) }
        Self.expectRefused("exceeds the limit") {
            _ = try ConsensusWire(decoding: [UInt8](repeating: 0, count: ConsensusWire.maxEncodedBytes + 1))
        }
        var f = try RLP.decode(c.encoded()).listValue()
        f[3] = .list([RLPItem(1), RLPItem(2)])
        Self.expectRefused("valid round") { _ = try CompactProposal(decoding: RLP.encode(.list(f))) }
        f = try RLP.decode(c.encoded()).listValue()
        f[5] = .list([c.lastCommit!.rlp, c.lastCommit!.rlp])
        Self.expectRefused("last commit") { _ = try CompactProposal(decoding: RLP.encode(.list(f))) }
        f = try RLP.decode(c.encoded()).listValue()
        f[2] = RLPItem(UInt64(UInt32.max) + 1)
        Self.expectRefused("out of range") { _ = try CompactProposal(decoding: RLP.encode(.list(f))) }
        f = try RLP.decode(c.encoded()).listValue()
        f[8] = RLPItem(bytes: [1, 2, 3])
        #expect(throws: (any Error).self) { try CompactProposal(decoding: RLP.encode(.list(f))) }
    }

    static func expectRefused(_ text: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("accepted, expected a refusal naming \"\(text)\"", sourceLocation: sourceLocation)
        } catch {
            #expect("\(error)".contains(text), "\(error)", sourceLocation: sourceLocation)
        }
    }
}
