import Foundation
import QuorateCore
import QuorateCrypto

/// The block export file (docs/operations.md, "Export file format"): a header naming the chain,
/// then one length-prefixed, checksummed record per block with its commit certificate, then an
/// end record. Everything big-endian.
///
///     header: "QRTEXPRT" | version u16 | chain id u64 | genesis hash [32] | first u64 | last u64 | check [4]
///     record: length u32 | kind u8 | payload [length] | check [4]
///
/// `check` is the first 4 bytes of SHA-256 over the bytes before it in the header or record, so a
/// flipped bit or a short file is caught at the record it hits. Kind 1 (block) carries
/// RLP [block, certificate], as block sync sends them; kind 2 (end) carries count u64 | last
/// height u64 | last block hash [32], so that a file cut at a record boundary is caught too.
public enum BlockExport {
    public static let magic = Array("QRTEXPRT".utf8)
    public static let version: UInt16 = 1
    public static let headerBytes = 8 + 2 + 8 + 32 + 8 + 8 + 4
    /// No record is larger: a block is bounded far below this by the chain's block byte limit.
    public static let maxRecordBytes = 64 << 20

    public enum Kind: UInt8, Sendable { case block = 1, end = 2 }

    public struct Header: Equatable, Sendable {
        public var chainId: UInt64
        public var genesisHash: Hash32
        public var first: UInt64
        public var last: UInt64

        public init(chainId: UInt64, genesisHash: Hash32, first: UInt64, last: UInt64) {
            self.chainId = chainId
            self.genesisHash = genesisHash
            self.first = first
            self.last = last
        }

        public func encoded() -> [UInt8] {
            var out = BlockExport.magic
            out.appendBigEndian(UInt16(BlockExport.version))
            out.appendBigEndian(chainId)
            out += genesisHash.bytes
            out.appendBigEndian(first)
            out.appendBigEndian(last)
            out += BlockExport.check(out)
            return out
        }
    }

    public static func check(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(bytes).prefix(4)) }

    public static func record(_ kind: Kind, _ payload: [UInt8]) -> [UInt8] {
        precondition(payload.count <= maxRecordBytes, "an export record is bounded")
        var out = [UInt8]()
        out.reserveCapacity(payload.count + 9)
        out.appendBigEndian(UInt32(payload.count))
        out.append(kind.rawValue)
        out += payload
        out += check(out)
        return out
    }

    public static func blockPayload(_ block: Block, _ certificate: CommitCertificate) -> [UInt8] {
        RLP.encode(.list([RLPItem(bytes: block.encoded()), RLPItem(bytes: certificate.encoded())]))
    }

    public static func endPayload(count: UInt64, lastHeight: UInt64, lastHash: Hash32) -> [UInt8] {
        var out = [UInt8]()
        out.appendBigEndian(count)
        out.appendBigEndian(lastHeight)
        return out + lastHash.bytes
    }
}

/// An export file that cannot be read, with where and what.
public struct ExportFileError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Writes an export file under a temporary name and renames it into place once complete and
/// synced, so that a failure (a full disk) never leaves a half file under the final name.
public final class BlockExportWriter {
    public let path: String
    private let partialPath: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    public private(set) var count: UInt64 = 0
    public private(set) var bytesWritten: UInt64 = 0
    private var lastHeight: UInt64 = 0
    private var lastHash = Hash32.zero
    private var finished = false

    public init(path: String, header: BlockExport.Header) throws {
        self.path = path
        partialPath = path + ".partial"
        guard !FileManager.default.fileExists(atPath: path) else {
            throw ExportFileError("\(path) exists: choose another --out file or remove it first")
        }
        guard FileManager.default.createFile(atPath: partialPath, contents: nil, attributes: [.posixPermissions: 0o644]),
              let handle = FileHandle(forWritingAtPath: partialPath) else {
            throw ExportFileError("cannot create \(partialPath): check the directory exists and is writable")
        }
        self.handle = handle
        buffer = header.encoded()
    }

    deinit {
        try? handle.close()
        if !finished { try? FileManager.default.removeItem(atPath: partialPath) }
    }

    public func append(_ block: Block, _ certificate: CommitCertificate) throws {
        precondition(count == 0 || block.height == lastHeight + 1, "blocks are exported in height order")
        buffer += BlockExport.record(.block, BlockExport.blockPayload(block, certificate))
        count += 1
        lastHeight = block.height
        lastHash = block.hash
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Writes the end record, syncs and renames the file into place.
    public func finish() throws {
        buffer += BlockExport.record(.end, BlockExport.endPayload(count: count, lastHeight: lastHeight, lastHash: lastHash))
        try flush()
        do { try handle.synchronize() } catch { throw ExportFileError("cannot sync \(partialPath): \(error.localizedDescription)") }
        try? handle.close()
        guard rename(partialPath, path) == 0 else {
            throw ExportFileError("cannot rename \(partialPath) to \(path): \(String(cString: strerror(errno)))")
        }
        finished = true
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        do { try handle.write(contentsOf: Data(buffer)) } catch {
            throw ExportFileError("cannot write \(partialPath) (\(error.localizedDescription)): is the disk full? Nothing was written under \(path)")
        }
        bytesWritten += UInt64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }
}
