import Foundation
import Synchronization

/// One committed block of the run, as the watcher saw it.
struct BlockRecord: Sendable {
    let height: UInt64
    let timestampMs: UInt64
    let transactionCount: Int
    let benchTransactionCount: Int
    /// When the watcher first saw the chain at this height or above (monotonic ns).
    let observedNs: UInt64
}

/// Polls the head, fetches every new block with its transaction hashes, and stamps each bench
/// transfer with the time its block was first seen committed. Runs on its own thread.
final class BlockWatcher: @unchecked Sendable {
    /// Blocks fetched per JSON-RPC batch while blocks are small; big blocks one by one, so an
    /// answer stays far under `RPCClient.maxResponseBytes` (about 70 bytes per transaction hash).
    static let smallBlocksPerBatch = 50
    static let bigBlockTransactions = 1_000
    /// Consecutive failed polls (about one per poll interval) before the node is called gone.
    static let maxFailedPollS = 10.0

    let state: RunState
    let url: String
    let pollIntervalS: Double
    private let index: [TxKey: Int32]
    private let stopped = Flag()
    private let finished = DispatchSemaphore(value: 0)

    // Watcher-thread state; read by others only after `stop()` returned.
    private(set) var blocks: [BlockRecord] = []
    /// How many times each bench transfer appeared in a block (1 is right).
    private(set) var occurrences: [UInt8]
    private(set) var foreignTransactions = 0
    private var nextHeight: UInt64

    init(state: RunState, url: String, startHeight: UInt64, pollIntervalMs: Int) {
        self.state = state
        self.url = url
        pollIntervalS = Double(pollIntervalMs) / 1000
        index = state.transfers.indexByKey()
        occurrences = [UInt8](repeating: 0, count: state.transfers.count)
        nextHeight = startHeight + 1
        state.height.store(Int(startHeight))
    }

    func start() {
        Thread { self.run() }.start()
    }

    /// Stops after the current poll; afterwards the records are safe to read.
    func stop() {
        stopped.set()
        finished.wait()
    }

    /// Seconds since the last new block (or since the start).
    var secondsSinceLastBlock: Double { Double(Int(Clock.monotonicNs()) - lastBlockNsAtomic.count) / 1e9 }
    private let lastBlockNsAtomic = Counter(Int(Clock.monotonicNs()))

    private func run() {
        defer { finished.signal() }
        do {
            let reader = try ChainReader(url: url)
            var failingSinceNs: UInt64?
            while !stopped.isSet {
                do {
                    try poll(reader)
                    failingSinceNs = nil
                } catch {
                    let since = failingSinceNs ?? Clock.monotonicNs()
                    failingSinceNs = since
                    if Double(Clock.monotonicNs() - since) / 1e9 > BlockWatcher.maxFailedPollS {
                        state.fail("the node stopped answering block queries for \(Int(BlockWatcher.maxFailedPollS)) s: \(error)")
                        return
                    }
                    reader.client.close()
                }
                Clock.sleep(seconds: pollIntervalS)
            }
        } catch {
            state.fail("the block watcher cannot connect: \(error)")
        }
    }

    private func poll(_ reader: ChainReader) throws {
        let head = try reader.height()
        state.answered()
        let observedNs = Clock.monotonicNs()
        while nextHeight <= head {
            let perBatch = (blocks.last?.transactionCount ?? 0) > BlockWatcher.bigBlockTransactions ? 1 : BlockWatcher.smallBlocksPerBatch
            let last = min(head, nextHeight + UInt64(perBatch) - 1)
            let fetched = try reader.blocks(Array(nextHeight...last))
            for block in fetched {
                guard let block else { throw BenchError("block \(nextHeight) is missing although the head is \(head)") }
                record(block, observedNs: observedNs)
                nextHeight = block.height + 1
            }
        }
        state.height.store(Int(head))
    }

    private func record(_ block: ObservedBlock, observedNs: UInt64) {
        var bench = 0
        var firstSeen = 0
        for hash in block.transactionHashes {
            guard let key = TxKey(hex: hash), let i = index[key].map(Int.init) else {
                foreignTransactions += 1
                continue
            }
            bench += 1
            if occurrences[i] == 0 {
                state.commitNs[i] = observedNs
                firstSeen += 1
            }
            if occurrences[i] < UInt8.max { occurrences[i] += 1 }
        }
        blocks.append(BlockRecord(height: block.height, timestampMs: block.timestampMs,
                                  transactionCount: block.transactionHashes.count, benchTransactionCount: bench,
                                  observedNs: observedNs))
        state.committed.add(firstSeen)
        lastBlockNsAtomic.store(Int(observedNs))
    }
}
