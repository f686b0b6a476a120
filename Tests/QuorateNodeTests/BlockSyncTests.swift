import QuorateCore
@testable import QuorateNode
import Synchronization
import Testing

/// Peers are node indices; requests and reports are recorded in order.
final class RecordingSyncTransport: BlockSyncTransport {
    struct Request: Equatable { let peer: Int, start: UInt64, count: Int }
    let requests = Mutex<[Request]>([])
    let reports = Mutex<[Int]>([])

    func requestBlocks(from peer: Int, start: UInt64, count: Int) {
        requests.withLock { $0.append(Request(peer: peer, start: start, count: count)) }
    }
    func reportMisbehaviour(_ peer: Int, reason: String) { reports.withLock { $0.append(peer) } }
    var last: Request? { requests.withLock { $0.last } }
    var count: Int { requests.withLock { $0.count } }
}

/// A chain whose applies wait until the test finishes them, so batches can be held in flight.
final class HeldSyncChain: BlockSyncChain {
    struct Apply { let pairs: [(Block, CommitCertificate)], check: SyncedBlockCheck, done: @Sendable (Int, Error?) -> Void }
    let head = Mutex<UInt64>(0)
    let paused = Mutex(false)
    let applies = Mutex<[Apply]>([])

    var headHeight: UInt64 { head.withLock { $0 } }
    var isSyncPaused: Bool { paused.withLock { $0 } }
    func recoverSenders(of blocks: [Block]) -> [Hash32: Address] { [:] }
    func applySyncedBlocks(_ pairs: [(Block, CommitCertificate)], senders: [Hash32: Address], highestHeight: UInt64,
                           check: SyncedBlockCheck, done: @escaping @Sendable (Int, Error?) -> Void) {
        applies.withLock { $0.append(Apply(pairs: pairs, check: check, done: done)) }
    }

    /// Finishes the oldest held apply: the first `applied` blocks extend the head.
    func finish(applied: Int, error: Error? = nil) {
        let apply = applies.withLock { $0.removeFirst() }
        if let last = apply.pairs.prefix(applied).last { head.withLock { $0 = last.0.height } }
        apply.done(applied, error)
    }
}

struct RefusedBlock: Error {}

/// The time block sync reads, moved by the test; and the progress lines it logged.
final class ManualSyncClock: Sendable {
    let now = Mutex<UInt64>(1_000)
    let logged = Mutex<[String]>([])
}

@Suite("block sync without a network")
struct BlockSyncTests {
    let transport = RecordingSyncTransport()
    let chain = HeldSyncChain()
    let clock = ManualSyncClock()


    func makeSync(check: SyncedBlockCheck = SyncedBlockCheck()) -> BlockSync<Int> {
        BlockSync(transport: transport, chain: chain, check: check, clockMs: { [clock] in clock.now.withLock { $0 } },
                  log: { [clock] line in clock.logged.withLock { $0.append(line) } })
    }

    /// Blocks `heights` with certificates naming them (block sync never looks inside; the chain checks).
    static func batch(_ heights: ClosedRange<UInt64>) -> [(Block, CommitCertificate)] {
        heights.map { h in
            let header = BlockHeader(chainId: 1, height: h, timestampMs: h, parentHash: .zero, proposer: .zero,
                                     transactionsRoot: .zero, receiptsRoot: .zero, stateRoot: .zero, validatorsHash: .zero,
                                     nextValidatorsHash: .zero, lastCommitHash: .zero, gasLimit: 0, gasUsed: 0, baseFeePerGas: .zero)
            let block = Block(header: header, transactions: [], lastCommit: nil)
            return (block, CommitCertificate(height: h, round: 0, blockHash: block.hash, signatures: []))
        }
    }

    @Test("the highest peer is asked for 64 blocks from head + 1; equally high peers go by rank, not dictionary order")
    func asksTheHighestPeer() {
        let sync = makeSync()
        sync.peer(7, reportedHeight: 5)
        #expect(transport.last == .init(peer: 7, start: 1, count: 64))
        transport.requests.withLock { $0.removeAll() }
        let other = makeSync()
        other.peer(9, reportedHeight: 300)
        other.peer(3, reportedHeight: 300)
        other.peer(4, reportedHeight: 200)
        #expect(transport.requests.withLock { $0.map(\.peer) } == [9])
        clock.now.withLock { $0 += 5_000 }
        other.peer(4, reportedHeight: 200)
        #expect(transport.last == .init(peer: 3, start: 1, count: 64), "after the timeout the re-sent request goes to the lowest-ranked of the highest")
    }

    @Test("one request is outstanding until answered or timed out; a peer at or below the head asks nothing")
    func oneRequestOutstanding() {
        let sync = makeSync()
        chain.head.withLock { $0 = 10 }
        sync.peer(1, reportedHeight: 10)
        #expect(transport.count == 0)
        sync.peer(1, reportedHeight: 100)
        sync.peer(2, reportedHeight: 120)
        #expect(transport.count == 1)
        clock.now.withLock { $0 += 4_999 }
        sync.headAdvanced()
        #expect(transport.count == 1)
        clock.now.withLock { $0 += 1 }
        sync.headAdvanced()
        #expect(transport.last == .init(peer: 2, start: 11, count: 64))
    }

    @Test("the next batch is asked for while one applies, at most two batches wait, and they go to the chain with the check")
    func batchesAhead() {
        let sync = makeSync(check: SyncedBlockCheck(skipCertificateCheckForTesting: true))
        sync.peer(1, reportedHeight: 500)
        sync.received(Self.batch(1...64), from: 1)
        #expect(transport.last == .init(peer: 1, start: 65, count: 64))
        sync.received(Self.batch(65...128), from: 1)
        #expect(transport.count == 2, "two batches wait: no third request")
        #expect(chain.applies.withLock { $0.map(\.check.skipCertificateCheckForTesting) } == [true, true])
        chain.finish(applied: 64)
        #expect(transport.last == .init(peer: 1, start: 129, count: 64))
        #expect(sync.status()! == (0, 64, 500))
    }

    @Test("a refused block reports its sender, and once the request in flight times out the blocks after the head are asked for again")
    func refusedBatch() {
        let sync = makeSync()
        sync.peer(1, reportedHeight: 200)
        sync.peer(2, reportedHeight: 100)
        sync.received(Self.batch(1...64), from: 1)
        #expect(transport.last == .init(peer: 1, start: 65, count: 64))
        chain.finish(applied: 10, error: RefusedBlock())
        #expect(transport.reports.withLock { $0 } == [1])
        clock.now.withLock { $0 += 5_000 }
        sync.headAdvanced()
        #expect(transport.last == .init(peer: 1, start: 11, count: 64), "from the head, not after the refused batch")
    }

    @Test("a disconnected peer's request is dropped and the next best peer is asked at once")
    func disconnect() {
        let sync = makeSync()
        sync.peer(1, reportedHeight: 200)
        sync.peer(2, reportedHeight: 100)
        sync.peerDisconnected(1)
        #expect(transport.requests.withLock { $0.map(\.peer) } == [1, 2])
    }

    @Test("nothing is fetched while state sync holds the head; a fetch from consensus bypasses the bookkeeping")
    func pausedAndFetch() {
        let sync = makeSync()
        chain.paused.withLock { $0 = true }
        sync.peer(1, reportedHeight: 200)
        #expect(transport.count == 0)
        sync.fetch(from: 4, start: 7)
        #expect(transport.last == .init(peer: 4, start: 7, count: 64))
        chain.paused.withLock { $0 = false }
        sync.headAdvanced()
        #expect(transport.last == .init(peer: 1, start: 1, count: 64))
    }

    @Test("status is nil in sync, reports progress behind, and a progress line is logged once per interval")
    func statusAndProgress() {
        let sync = makeSync()
        #expect(sync.status() == nil)
        sync.peer(1, reportedHeight: 100)
        sync.received(Self.batch(1...64), from: 1)
        clock.now.withLock { $0 += 2_000 }
        chain.finish(applied: 64)
        #expect(clock.logged.withLock { $0.count } == 1)
        sync.received(Self.batch(65...100), from: 1)
        chain.finish(applied: 36)
        #expect(clock.logged.withLock { $0.count } == 1, "within the interval nothing more is logged")
        #expect(sync.status() == nil)
    }
}
