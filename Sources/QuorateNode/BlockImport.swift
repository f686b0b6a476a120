import Foundation
import QuorateCLI
import QuorateCore
import QuorateState
import QuorateStorage

/// `quorate-node import`: replays an export file into a stopped node's store. The file is read
/// twice: first to check every record's framing and checksum (a truncated or damaged file changes
/// nothing), then to verify each block with the block-sync check and commit it.
public struct BlockImport {
    public struct Summary: Equatable, Sendable {
        public var imported: UInt64 = 0
        public var alreadyPresent: UInt64 = 0
        public var head: UInt64 = 0
    }

    let store: ChainStore
    let rules: ChainRules
    /// Progress lines (stderr in the command, collected in tests).
    var report: (String) -> Void
    var clockMs: () -> UInt64 = { Node.wallClockMs() }
    /// Blocks committed without fsync between synced ones (as block sync does): a crash loses at
    /// most this tail of whole blocks, which a second import adds again.
    static let syncEvery: UInt64 = 256

    init(store: ChainStore, logger: Logger) {
        report = { logger.info("node", $0) }
        self.store = store
        rules = ChainRules(genesis: store.genesis)
    }

    func run(path: String) throws -> Summary {
        let header = try checkFile(path)
        let reader = try BlockExportReader(path: path)
        var summary = Summary()
        let total = header.last - header.first + 1
        let startMs = clockMs()
        var lastReportMs = startMs
        do {
            while let (block, certificate) = try reader.next() {
                let head = store.head
                let height = block.height
                if height <= head.height {
                    // A block the store no longer holds (pruned, or before a state sync) cannot be
                    // compared; the head it led to is certified, so it is skipped like the others.
                    guard try store.block(at: height).map({ $0.hash == block.hash }) ?? true else {
                        throw ImportError("block \(height) of the file (\(block.hash)) differs from block \(height) in the store: the file is from another fork of chain \(store.chainId); nothing after height \(head.height) was imported")
                    }
                    summary.alreadyPresent += 1
                    continue
                }
                guard height == head.height + 1 else {
                    throw ImportError("the file starts at block \(height) but the store's head is \(head.height): blocks \(head.height + 1)...\(height - 1) are missing; import a file that covers them first")
                }
                let executed: ExecutedBlock
                do {
                    executed = try CertifiedBlockCheck.verify(block, certificate: certificate, store: store, rules: rules) { try $0.recoverSender() }
                } catch {
                    throw ImportError("block \(height) refused: \(error); the store stays at height \(head.height)")
                }
                let imported = summary.imported + 1
                do {
                    try store.commit(executed, certificate: certificate, sync: imported % Self.syncEvery == 0 || height == header.last)
                } catch {
                    throw ImportError("cannot write block \(height) to the store (\(error)): the store stays at height \(head.height); free disk space and run the import again (blocks already imported are skipped)")
                }
                summary.imported = imported
                let now = clockMs()
                if now >= lastReportMs + 2_000 {
                    lastReportMs = now
                    report(progressLine(done: summary.imported + summary.alreadyPresent, total: total, height: height,
                                        imported: summary.imported, elapsedMs: now - startMs))
                }
            }
        } catch {
            // Blocks committed without fsync become durable before the error is reported.
            try? store.db.write(WriteBatch(), sync: true)
            throw error
        }
        summary.head = store.head.height
        return summary
    }

    /// First pass: the chain, then every record's framing and checksum, without executing.
    private func checkFile(_ path: String) throws -> BlockExport.Header {
        let reader = try BlockExportReader(path: path)
        let header = reader.header
        guard header.chainId == store.chainId, header.genesisHash == store.genesisHash else {
            throw ImportError("\(path) holds blocks of chain \(header.chainId) with genesis \(header.genesisHash); this store is chain \(store.chainId) with genesis \(store.genesisHash): refusing a file from another chain")
        }
        while try reader.next() != nil {}
        return header
    }

    private func progressLine(done: UInt64, total: UInt64, height: UInt64, imported: UInt64, elapsedMs: UInt64) -> String {
        let rate = Double(imported) * 1000 / Double(max(elapsedMs, 1))
        let eta = rate > 0 ? Int(Double(total - min(done, total)) / rate) : 0
        return String(format: "import: block %llu, %llu/%llu blocks, %.0f blocks/s, ETA %d s", height, done, total, rate, eta)
    }
}

public struct ImportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
