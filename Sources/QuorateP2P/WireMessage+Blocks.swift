import QuorateCore

/// One item of a `blocks` answer (block sync): a committed block and the certificate that
/// commits it, framed as RLP `[block bytes, certificate bytes]`, optionally followed by the list
/// of the transactions' senders as the serving node recorded them. The network carries the items
/// as opaque bytes; the node encodes what it serves and decodes what it receives here, so the
/// framing lives with the other wire messages.
///
/// The senders are hints, not trusted: the receiver executes the block with them and the
/// certified header's roots decide. Each receipt records its sender, so any wrong sender changes
/// the receipts root, even where two swapped senders would leave the same state; and the block
/// is refused. They spare the receiver recovering each signature,
/// the largest cost of catching up.
public struct CertifiedBlock: Equatable, Sendable {
    public var block: Block
    public var certificate: CommitCertificate
    /// One per transaction, in block order, or nil when the server did not send them.
    public var senders: [Address]?

    public init(block: Block, certificate: CommitCertificate, senders: [Address]? = nil) {
        precondition(senders == nil || senders!.count == block.transactions.count, "one sender per transaction")
        self.block = block
        self.certificate = certificate
        self.senders = senders
    }

    /// An encoded certificate of `ValidatorSet.maxValidators` signatures fits: each entry is a
    /// list of a 20-byte address and a 65-byte signature (90 bytes with RLP headers), plus height,
    /// round and hash.
    public static let maxCertificateBytes = 128 + ValidatorSet.maxValidators * 96
    /// The largest sender list: 21 bytes per sender of the largest block, and its list header.
    public static let maxSendersBytes = Block.maxTransactions * 21 + 8
    /// The largest item: the largest block, certificate and sender list, and the outer list's headers.
    public static let maxEncodedBytes = Block.maxEncodedBytes + maxCertificateBytes + maxSendersBytes + 16

    public func encoded() -> [UInt8] {
        var fields = [RLPItem(bytes: block.encoded()), RLPItem(bytes: certificate.encoded())]
        if let senders { fields.append(.list(senders.map { RLPItem(bytes: $0.bytes) })) }
        return RLP.encode(.list(fields))
    }

    /// Why a `blocks` item could not be decoded; the peer that sent it is misbehaving.
    public struct DecodingError: Error, Equatable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// Sizes are checked before each part is decoded, so a peer cannot make us parse more than
    /// one block and one certificate's worth per item.
    public init(decoding bytes: [UInt8]) throws(DecodingError) {
        guard bytes.count <= Self.maxEncodedBytes else {
            throw DecodingError("a block sync item of \(bytes.count) bytes exceeds \(Self.maxEncodedBytes)")
        }
        do {
            let fields = try RLP.decode(bytes).listValue()
            guard fields.count == 2 || fields.count == 3 else {
                throw DecodingError("expected [block, certificate] or [block, certificate, senders], got \(fields.count) fields")
            }
            let blockBytes = try fields[0].bytesValue()
            let certificateBytes = try fields[1].bytesValue()
            guard certificateBytes.count <= Self.maxCertificateBytes else {
                throw DecodingError("a certificate of \(certificateBytes.count) bytes exceeds \(Self.maxCertificateBytes)")
            }
            block = try Block(decoding: blockBytes)
            certificate = try CommitCertificate(rlp: try RLP.decode(certificateBytes))
            senders = fields.count == 3 ? try Self.senders(fields[2], count: block.transactions.count) : nil
        } catch let error as DecodingError {
            throw error
        } catch {
            throw DecodingError("\(error)")
        }
    }

    private static func senders(_ item: RLPItem, count: Int) throws -> [Address] {
        let list = try item.listValue()
        guard list.count == count else {
            throw DecodingError("\(list.count) senders for a block of \(count) transactions")
        }
        return try list.map { entry in
            let bytes = try entry.bytesValue()
            guard bytes.count == 20 else { throw DecodingError("a sender of \(bytes.count) bytes, not 20") }
            return Address(bytes)
        }
    }

    /// The items of one `blocks` answer: consecutive heights, ascending, each certificate for its
    /// block's height (whether it verifies is for the chain to check).
    public static func decodeBatch(_ items: [[UInt8]]) throws(DecodingError) -> [CertifiedBlock] {
        var out: [CertifiedBlock] = []
        out.reserveCapacity(items.count)
        for item in items {
            let next = try CertifiedBlock(decoding: item)
            if let previous = out.last, next.block.height != previous.block.height &+ 1 {
                throw DecodingError("block \(next.block.height) follows block \(previous.block.height) in one answer")
            }
            guard next.certificate.height == next.block.height else {
                throw DecodingError("the certificate sent with block \(next.block.height) is for height \(next.certificate.height)")
            }
            out.append(next)
        }
        return out
    }
}
