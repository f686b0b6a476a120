/// A block header (DESIGN.md section 3). Its hash is keccak256 of its RLP encoding.
///
/// The header certifies the post-state (`stateRoot`): every validator executes the block against
/// its parent state and votes only if it gets the same roots.
public struct BlockHeader: Equatable, Sendable {
    public var chainId: UInt64
    public var height: UInt64
    /// Milliseconds since the Unix epoch, set by the proposer; JSON-RPC shows seconds.
    public var timestampMs: UInt64
    public var parentHash: Hash32
    public var proposer: Address
    public var transactionsRoot: Hash32
    public var receiptsRoot: Hash32
    public var stateRoot: Hash32
    public var validatorsHash: Hash32
    public var nextValidatorsHash: Hash32
    /// Hash of the commit certificate of the parent block: zero at height 1; at height 0, the
    /// genesis content hash (see Genesis/README.md).
    public var lastCommitHash: Hash32
    public var gasLimit: UInt64
    public var gasUsed: UInt64
    public var baseFeePerGas: UInt256
    /// The union of the blooms of the block's receipts (Ethereum's 2048-bit filter).
    public var logsBloom: LogsBloom

    public init(chainId: UInt64, height: UInt64, timestampMs: UInt64, parentHash: Hash32, proposer: Address,
                transactionsRoot: Hash32, receiptsRoot: Hash32, stateRoot: Hash32, validatorsHash: Hash32,
                nextValidatorsHash: Hash32, lastCommitHash: Hash32, gasLimit: UInt64, gasUsed: UInt64,
                baseFeePerGas: UInt256, logsBloom: LogsBloom = .empty) {
        self.chainId = chainId
        self.height = height
        self.timestampMs = timestampMs
        self.parentHash = parentHash
        self.proposer = proposer
        self.transactionsRoot = transactionsRoot
        self.receiptsRoot = receiptsRoot
        self.stateRoot = stateRoot
        self.validatorsHash = validatorsHash
        self.nextValidatorsHash = nextValidatorsHash
        self.lastCommitHash = lastCommitHash
        self.gasLimit = gasLimit
        self.gasUsed = gasUsed
        self.baseFeePerGas = baseFeePerGas
        self.logsBloom = logsBloom
    }

    static let fieldCount = 15

    public var rlp: RLPItem {
        .list([
            RLPItem(chainId), RLPItem(height), RLPItem(timestampMs), RLPItem(parentHash), RLPItem(proposer),
            RLPItem(transactionsRoot), RLPItem(receiptsRoot), RLPItem(stateRoot), RLPItem(validatorsHash),
            RLPItem(nextValidatorsHash), RLPItem(lastCommitHash), RLPItem(gasLimit), RLPItem(gasUsed),
            RLPItem(baseFeePerGas), RLPItem(bytes: logsBloom.bytes),
        ])
    }

    public init(rlp: RLPItem) throws {
        let f = try rlp.listValue()
        guard f.count == BlockHeader.fieldCount else {
            throw RLPError(description: "block header: expected \(BlockHeader.fieldCount) fields, got \(f.count)")
        }
        self.init(chainId: try f[0].uint64Value(), height: try f[1].uint64Value(),
                  timestampMs: try f[2].uint64Value(), parentHash: try f[3].hash32Value(),
                  proposer: try f[4].addressValue(), transactionsRoot: try f[5].hash32Value(),
                  receiptsRoot: try f[6].hash32Value(), stateRoot: try f[7].hash32Value(),
                  validatorsHash: try f[8].hash32Value(), nextValidatorsHash: try f[9].hash32Value(),
                  lastCommitHash: try f[10].hash32Value(), gasLimit: try f[11].uint64Value(),
                  gasUsed: try f[12].uint64Value(), baseFeePerGas: try f[13].uint256Value(),
                  logsBloom: try Self.bloom(f[14]))
    }

    private static func bloom(_ item: RLPItem) throws -> LogsBloom {
        let bytes = try item.bytesValue()
        guard bytes.count == LogsBloom.byteCount else {
            throw RLPError(description: "block header: logs bloom must be 256 bytes, got \(bytes.count)")
        }
        return LogsBloom(bytes: bytes)
    }

    public func encoded() -> [UInt8] { RLP.encode(rlp) }
    public var hash: Hash32 { Hash32.keccak(encoded()) }
}
