import Foundation
import QuorateCore

/// Reads an export file record by record, checking each record's length bound and checksum before
/// decoding it; every error names the byte offset and the last good height.
public final class BlockExportReader {
    public let path: String
    public let header: BlockExport.Header
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    /// Offset in the file of `buffer[bufferStart]`.
    private var offset: UInt64
    private var atEnd = false
    private var lastHeight: UInt64?
    private var lastHash: Hash32?
    private var count: UInt64 = 0
    private var sawEnd = false

    public init(path: String) throws {
        self.path = path
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ExportFileError("cannot open \(path): check the path and its permissions")
        }
        self.handle = handle
        offset = 0
        let bytes = try Self.readExactly(handle, BlockExport.headerBytes)
        guard bytes.count == BlockExport.headerBytes, Array(bytes.prefix(8)) == BlockExport.magic else {
            throw ExportFileError("\(path) is not a Quorate export file (no QRTEXPRT header)")
        }
        let version = UInt16(bytes[8]) << 8 | UInt16(bytes[9])
        guard version == BlockExport.version else {
            throw ExportFileError("\(path) is an export file of version \(version); this quorate-node reads version \(BlockExport.version): use a matching quorate-node")
        }
        guard Array(bytes.suffix(4)) == BlockExport.check(Array(bytes.dropLast(4))) else {
            throw ExportFileError("\(path): the header's checksum does not match: the file is damaged")
        }
        header = BlockExport.Header(chainId: Self.uint64(bytes, 10), genesisHash: Hash32(Array(bytes[18..<50])),
                                    first: Self.uint64(bytes, 50), last: Self.uint64(bytes, 58))
        guard header.first <= header.last, header.first >= 1 else {
            throw ExportFileError("\(path): the header's height range \(header.first)...\(header.last) is invalid: the file is damaged")
        }
        offset = UInt64(BlockExport.headerBytes)
    }

    deinit { try? handle.close() }

    /// The next block and its certificate; nil after the end record, which it checks against what
    /// was read. Throws at a damaged, missing or out-of-order record.
    public func next() throws -> (Block, CommitCertificate)? {
        guard !sawEnd else { return nil }
        let recordOffset = offset
        let after = lastHeight.map { "after height \($0)" } ?? "before the first block"
        func damaged(_ why: String) -> ExportFileError {
            ExportFileError("\(path): record at byte \(recordOffset) (\(after)): \(why)")
        }
        guard let prefix = try take(5) else {
            throw damaged("the file ends without its end record: it is truncated (an interrupted copy or export?)")
        }
        let length = Int(prefix[0]) << 24 | Int(prefix[1]) << 16 | Int(prefix[2]) << 8 | Int(prefix[3])
        guard length <= BlockExport.maxRecordBytes else {
            throw damaged("length \(length) exceeds the bound of \(BlockExport.maxRecordBytes) bytes: the file is damaged")
        }
        guard let rest = try take(length + 4) else {
            throw damaged("the file ends inside this record: it is truncated")
        }
        let body = prefix + rest.dropLast(4)
        guard Array(rest.suffix(4)) == BlockExport.check(body) else {
            throw damaged("checksum mismatch: the file is damaged (a flipped bit or a bad copy)")
        }
        let payload = Array(body.dropFirst(5))
        switch BlockExport.Kind(rawValue: prefix[4]) {
        case .block:
            let pair: (Block, CommitCertificate)
            do {
                let fields = try RLP.decode(payload).listValue()
                guard fields.count == 2 else { throw damaged("expected [block, certificate]") }
                pair = (try Block(decoding: try fields[0].bytesValue()),
                        try CommitCertificate(rlp: try RLP.decode(try fields[1].bytesValue())))
            } catch let error as ExportFileError { throw error } catch {
                throw damaged("does not decode: \(error)")
            }
            let expected = lastHeight.map { $0 + 1 } ?? header.first
            guard pair.0.height == expected else {
                throw damaged("holds block \(pair.0.height) where block \(expected) should follow: the file has a gap or is out of order")
            }
            guard pair.0.height <= header.last else { throw damaged("block \(pair.0.height) is past the header's last height \(header.last)") }
            lastHeight = pair.0.height
            lastHash = pair.0.hash
            count += 1
            return pair
        case .end:
            guard payload.count == 48 else { throw damaged("end record of \(payload.count) bytes, expected 48") }
            let endCount = Self.uint64(payload, 0), endHeight = Self.uint64(payload, 8)
            guard endCount == count, endHeight == (lastHeight ?? 0), Hash32(Array(payload[16..<48])) == (lastHash ?? .zero),
                  lastHeight == header.last else {
                throw damaged("the end record (\(endCount) blocks to height \(endHeight)) does not match the \(count) blocks read: the file is damaged")
            }
            guard try take(1) == nil else { throw damaged("bytes follow the end record: the file is damaged") }
            sawEnd = true
            return nil
        case nil:
            throw damaged("unknown record kind \(prefix[4]): the file is damaged or from a newer quorate-node")
        }
    }

    /// Exactly `n` bytes, or nil at the end of the file before the first; a short read is nil too.
    private func take(_ n: Int) throws -> [UInt8]? {
        while buffer.count - bufferStart < n && !atEnd {
            let chunk = try handle.read(upToCount: max(1 << 20, n)) ?? Data()
            if chunk.isEmpty { atEnd = true } else {
                buffer.removeFirst(bufferStart)
                bufferStart = 0
                buffer += chunk
            }
        }
        guard buffer.count - bufferStart >= n else { return nil }
        let out = Array(buffer[bufferStart..<(bufferStart + n)])
        bufferStart += n
        offset += UInt64(n)
        return out
    }

    private static func readExactly(_ handle: FileHandle, _ n: Int) throws -> [UInt8] {
        Array(try handle.read(upToCount: n) ?? Data())
    }

    private static func uint64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        bytes[at..<(at + 8)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }
}
