/// A block: header, transactions (their canonical raw bytes) and the commit certificate of the
/// parent block, as CometBFT's `LastCommit`, so that finality of every block travels with the chain.
public struct Block: Equatable, Sendable {
    public var header: BlockHeader
    public var transactions: [Transaction]
    /// Certificate for block `height - 1`; nil at heights 0 and 1 (genesis has no commit).
    public var lastCommit: CommitCertificate?

    /// Most raw transaction bytes a block may carry: the bound on genesis `maxBlockBytes`.
    public static let maxTransactionBytes = 64 << 20
    /// Upper bound on an encoded block, so a peer cannot make us allocate without limit. Above
    /// `maxTransactionBytes` by room for the rest of a full block (RLP headers of at most 5 bytes
    /// per transaction, the header, a certificate of 256 signatures): otherwise a block built
    /// within the genesis limits could not be decoded, not even from our own store.
    public static let maxEncodedBytes = maxTransactionBytes + (1 << 20)
    public static let maxTransactions = 100_000

    public init(header: BlockHeader, transactions: [Transaction], lastCommit: CommitCertificate?) {
        self.header = header
        self.transactions = transactions
        self.lastCommit = lastCommit
    }

    public var hash: Hash32 { header.hash }
    public var height: UInt64 { header.height }

    public static func transactionsRoot(_ transactions: [Transaction]) -> Hash32 {
        MerkleRoot.compute(transactions.map(\.hash))
    }

    public func encoded() -> [UInt8] {
        RLP.encode(.list([
            header.rlp,
            .list(transactions.map { RLPItem(bytes: $0.raw) }),
            lastCommit.map { .list([$0.rlp]) } ?? .list([]),
        ]))
    }

    /// The header of an encoded block, without decoding its transactions (BLOCKHASH and
    /// state sync read headers of blocks that may hold thousands).
    public static func header(ofEncoded bytes: [UInt8]) throws -> BlockHeader {
        guard bytes.count <= Block.maxEncodedBytes else {
            throw RLPError(description: "block of \(bytes.count) bytes exceeds the limit of \(Block.maxEncodedBytes)")
        }
        let list = try bytes.withUnsafeBufferPointer { try RLP.listSpans($0, keep: 1) }
        guard let list, list.count == 3 else { throw RLPError(description: "block: expected a list of 3 fields") }
        let span = list.spans[0]
        return try BlockHeader(rlp: try RLP.decode(Array(bytes[span.headerStart..<span.end])))
    }

    public init(decoding bytes: [UInt8]) throws {
        guard bytes.count <= Block.maxEncodedBytes else {
            throw RLPError(description: "block of \(bytes.count) bytes exceeds the limit of \(Block.maxEncodedBytes)")
        }
        let f = try RLP.decode(bytes).listValue()
        guard f.count == 3 else { throw RLPError(description: "block: expected 3 fields, got \(f.count)") }
        let header = try BlockHeader(rlp: f[0])
        let rawTransactions = try f[1].listValue()
        guard rawTransactions.count <= Block.maxTransactions else {
            throw RLPError(description: "block carries \(rawTransactions.count) transactions, over the limit of \(Block.maxTransactions)")
        }
        let transactions = try rawTransactions.map { try Transaction.decode(raw: try $0.bytesValue()) }
        let commit = try f[2].listValue()
        guard commit.count <= 1 else { throw RLPError(description: "block: malformed last commit") }
        self.init(header: header, transactions: transactions,
                  lastCommit: try commit.first.map { try CommitCertificate(rlp: $0) })
    }
}
