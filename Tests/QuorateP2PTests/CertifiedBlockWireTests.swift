import QuorateCore
import QuorateCrypto
import Testing
@testable import QuorateP2P

@Suite("block sync items on the wire")
struct CertifiedBlockWireTests {
    static let key = try! Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [0x21])

    static func item(height: UInt64, certifiedHeight: UInt64? = nil) throws -> CertifiedBlock {
        let header = BlockHeader(chainId: 1337, height: height, timestampMs: 1_000 + height, parentHash: .keccak([UInt8(height & 0xff)]),
                                 proposer: Address(key.publicKey.ethereumAddress), transactionsRoot: Block.transactionsRoot([]),
                                 receiptsRoot: .zero, stateRoot: .keccak([1]), validatorsHash: .keccak([2]),
                                 nextValidatorsHash: .keccak([2]), lastCommitHash: .zero, gasLimit: 30_000_000, gasUsed: 0,
                                 baseFeePerGas: .zero)
        let block = Block(header: header, transactions: [], lastCommit: nil)
        let vote = try Vote.sign(chainId: 1337, type: .precommit, height: certifiedHeight ?? height, round: 2,
                                 blockHash: block.hash, key: key)
        return CertifiedBlock(block: block, certificate: CommitCertificate(precommits: [vote]))
    }

    @Test("a block and its certificate round-trip, in the framing older nodes send: RLP [block bytes, certificate bytes]")
    func roundTrip() throws {
        let item = try Self.item(height: 7)
        let bytes = item.encoded()
        #expect(try CertifiedBlock(decoding: bytes) == item)
        #expect(bytes == RLP.encode(.list([RLPItem(bytes: item.block.encoded()), RLPItem(bytes: item.certificate.encoded())])))
    }

    @Test("the senders the server recorded travel as a third field and round-trip; a count or length that does not fit is refused")
    func senders() throws {
        let tx = try UnsignedTransaction(chainId: 1337, nonce: 0, gasLimit: 21_000, to: Address([UInt8](repeating: 0xde, count: 20)),
                                         value: 1).signed(with: Self.key)
        var item = try Self.item(height: 3)
        item.block.transactions = [tx]
        item.senders = [Address(Self.key.publicKey.ethereumAddress)]
        #expect(try CertifiedBlock(decoding: item.encoded()) == item)
        let fields = [RLPItem(bytes: item.block.encoded()), RLPItem(bytes: item.certificate.encoded())]
        let two = RLP.encode(.list(fields + [.list([RLPItem(bytes: [UInt8](repeating: 1, count: 20)), RLPItem(bytes: [UInt8](repeating: 2, count: 20))])]))
        #expect(throws: CertifiedBlock.DecodingError("2 senders for a block of 1 transactions")) { try CertifiedBlock(decoding: two) }
        let short = RLP.encode(.list(fields + [.list([RLPItem(bytes: [UInt8](repeating: 1, count: 19))])]))
        #expect(throws: CertifiedBlock.DecodingError("a sender of 19 bytes, not 20")) { try CertifiedBlock(decoding: short) }
    }

    @Test("a batch of consecutive heights decodes in order")
    func batch() throws {
        let items = try (5...9).map { try Self.item(height: $0) }
        #expect(try CertifiedBlock.decodeBatch(items.map { $0.encoded() }) == items)
        #expect(try CertifiedBlock.decodeBatch([]) == [])
    }

    @Test("a batch with a gap or out of order is refused")
    func gap() throws {
        let a = try Self.item(height: 5).encoded(), c = try Self.item(height: 7).encoded()
        #expect(throws: CertifiedBlock.DecodingError.self) { try CertifiedBlock.decodeBatch([a, c]) }
        #expect(throws: CertifiedBlock.DecodingError.self) { try CertifiedBlock.decodeBatch([c, a]) }
    }

    @Test("a certificate for another height than its block is refused at decoding")
    func certificateHeight() throws {
        let item = try Self.item(height: 5, certifiedHeight: 6).encoded()
        #expect(throws: CertifiedBlock.DecodingError.self) { try CertifiedBlock.decodeBatch([item]) }
    }

    @Test("an item that is not a two- or three-field list, truncated, or with trailing bytes is refused", arguments: [
        RLP.encode(.list([RLPItem(bytes: [1, 2, 3])])),
        RLP.encode(RLPItem(bytes: [1, 2, 3])),
        [0xc5, 0x83],
        [],
    ])
    func malformed(bytes: [UInt8]) {
        #expect(throws: CertifiedBlock.DecodingError.self) { try CertifiedBlock(decoding: bytes) }
    }

    @Test("the parts are decoded only within their bounds: an oversized item or certificate is refused before parsing")
    func bounds() throws {
        let item = try Self.item(height: 1)
        let hugeCertificate = [UInt8](repeating: 0, count: CertifiedBlock.maxCertificateBytes + 1)
        let bytes = RLP.encode(.list([RLPItem(bytes: item.block.encoded()), RLPItem(bytes: hugeCertificate)]))
        #expect(throws: CertifiedBlock.DecodingError("a certificate of \(hugeCertificate.count) bytes exceeds \(CertifiedBlock.maxCertificateBytes)")) {
            try CertifiedBlock(decoding: bytes)
        }
        let oversized = [UInt8](repeating: 0, count: CertifiedBlock.maxEncodedBytes + 1)
        #expect(throws: CertifiedBlock.DecodingError("a block sync item of \(oversized.count) bytes exceeds \(CertifiedBlock.maxEncodedBytes)")) {
            try CertifiedBlock(decoding: oversized)
        }
    }

    @Test("a certificate of the most validators fits the certificate bound")
    func fullCertificateFits() throws {
        let signature = try Self.key.sign(hash: Keccak256.hash([1]))
        let full = CommitCertificate(height: 1, round: .max, blockHash: .keccak([3]), signatures: (0..<ValidatorSet.maxValidators).map {
            CommitSignature(validator: Address([UInt8](repeating: 0xff, count: 18) + [UInt8($0 >> 8), UInt8($0 & 0xff)]), signature: signature)
        })
        #expect(full.encoded().count <= CertifiedBlock.maxCertificateBytes)
    }
}
