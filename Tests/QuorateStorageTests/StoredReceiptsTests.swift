import QuorateCore
import QuorateCrypto
@testable import QuorateStorage
import Testing

@Suite("receipts as the store keeps them")
struct StoredReceiptsTests {
    static let key = try! Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [0x31])
    static let sender = Address(key.publicKey.ethereumAddress)
    static let baseFee = UInt256(7)

    /// A transfer with a tip and a contract creation, in one block.
    static func block() throws -> Block {
        let transfer = try UnsignedTransaction(chainId: 1337, nonce: 0, maxPriorityFeePerGas: UInt256(2), maxFeePerGas: UInt256(20),
                                               gasLimit: 21_000, to: Address([UInt8](repeating: 0xde, count: 20)),
                                               value: UInt256(5)).signed(with: key)
        let create = try UnsignedTransaction(chainId: 1337, nonce: 1, maxPriorityFeePerGas: UInt256(1), maxFeePerGas: UInt256(30),
                                             gasLimit: 100_000, to: nil, value: .zero, data: [0x60, 0x00]).signed(with: key)
        let header = BlockHeader(chainId: 1337, height: 4, timestampMs: 9, parentHash: .keccak([1]), proposer: sender,
                                 transactionsRoot: Block.transactionsRoot([transfer, create]), receiptsRoot: .zero,
                                 stateRoot: .keccak([2]), validatorsHash: .keccak([3]), nextValidatorsHash: .keccak([3]),
                                 lastCommitHash: .zero, gasLimit: 30_000_000, gasUsed: 74_000, baseFeePerGas: baseFee)
        return Block(header: header, transactions: [transfer, create], lastCommit: nil)
    }

    static func receipts(_ block: Block) -> [Receipt] {
        let (transfer, create) = (block.transactions[0], block.transactions[1])
        let log = Log(address: Address([UInt8](repeating: 0xca, count: 20)), topics: [.keccak([4])], data: [1, 2, 3])
        return [
            Receipt(transactionHash: transfer.hash, type: transfer.type, status: 1, from: sender, to: transfer.to,
                    gasUsed: 21_000, cumulativeGasUsed: 21_000, effectiveGasPrice: transfer.effectiveGasPrice(baseFee: baseFee)),
            Receipt(transactionHash: create.hash, type: create.type, status: 0, from: sender, to: nil,
                    gasUsed: 53_000, cumulativeGasUsed: 74_000, effectiveGasPrice: create.effectiveGasPrice(baseFee: baseFee),
                    contractAddress: Address([UInt8](repeating: 0xcc, count: 20)), logs: [log]),
        ]
    }

    @Test("the compact form reads back to the full receipts, the derived fields taken from the block")
    func roundTrip() throws {
        let block = try Self.block()
        let receipts = Self.receipts(block)
        let stored = StoredReceipts.encode(receipts)
        #expect(try StoredReceipts.decode(stored) { block } == receipts)
        #expect(try StoredReceipts.senders(stored) == [Self.sender, Self.sender])
        // What the compact form saves on a transfer: hash, type, recipient, cumulative gas and price.
        #expect(StoredReceipts.encode([receipts[0]]).count + 60 < RLP.encode(.list([receipts[0].rlp])).count)
    }

    @Test("receipts written in the full form before still read, without the block")
    func fullFormReads() throws {
        let receipts = Self.receipts(try Self.block())
        let old = RLP.encode(.list(receipts.map(\.rlp)))
        #expect(try StoredReceipts.decode(old) { Issue.record("the block is not needed"); return nil } == receipts)
        #expect(try StoredReceipts.senders(old) == [Self.sender, Self.sender])
    }

    @Test("compact receipts without their block, or for a block of another size, are refused with a reason")
    func missingBlock() throws {
        let block = try Self.block()
        let stored = StoredReceipts.encode(Self.receipts(block))
        #expect(throws: RLPError.self) { try StoredReceipts.decode(stored) { nil } }
        var shorter = block
        shorter.transactions.removeLast()
        #expect(throws: RLPError.self) { try StoredReceipts.decode(stored) { shorter } }
    }
}
