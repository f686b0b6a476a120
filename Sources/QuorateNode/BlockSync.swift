import QuorateCore
import QuorateCrypto
import QuorateState
import QuorateStorage
import Synchronization

/// A peer as block sync knows it: any identity with a total order, so that the peer asked among
/// equally high ones never depends on dictionary order. The network uses node keys; a simulator
/// may use node indices.
public protocol BlockSyncPeer: Hashable, Sendable {
    func ranksBefore(_ other: Self) -> Bool
}

extension Secp256k1.PublicKey: BlockSyncPeer {
    public func ranksBefore(_ other: Secp256k1.PublicKey) -> Bool { compressed.lexicographicallyPrecedes(other.compressed) }
}

extension Int: BlockSyncPeer {
    public func ranksBefore(_ other: Int) -> Bool { self < other }
}

/// How block sync reaches peers: the P2P network in production, a simulated one in tests.
public protocol BlockSyncTransport<Peer>: Sendable {
    associatedtype Peer: BlockSyncPeer
    /// Asks `peer` for blocks `start...start+count-1`; the answer comes back through `BlockSync.received`.
    func requestBlocks(from peer: Peer, start: UInt64, count: Int)
    /// `peer` sent blocks that do not verify.
    func reportMisbehaviour(_ peer: Peer, reason: String)
}

/// The chain block sync feeds: its head, and the one path that checks and commits certified blocks.
public protocol BlockSyncChain: Sendable {
    var headHeight: UInt64 { get }
    /// True while sync must not fetch: state sync replaces the head first, and fetching (and
    /// recovering senders of) blocks it will skip would only slow it down.
    var isSyncPaused: Bool { get }
    /// The senders of the blocks' transactions, recovered ahead of execution (on all cores in
    /// production); any left out are recovered when the block is applied.
    func recoverSenders(of blocks: [Block]) -> [Hash32: Address]
    /// On the executor that owns the head, in height order: each block that extends the head is
    /// checked with `check` and committed (the node writes each block while the next executes:
    /// `SyncedBlockPipeline`); the last delivered block is written synced. `done` gets how many
    /// were applied and the error that stopped the rest, if any, once every write is in.
    /// `highestHeight` is the best height a peer reported (the node writes the heights far below
    /// it more cheaply: `ChainStore.treeWriteForSyncedBlock`).
    func applySyncedBlocks(_ pairs: [(Block, CommitCertificate)], senders: [Hash32: Address], highestHeight: UInt64,
                           check: SyncedBlockCheck, done: @escaping @Sendable (Int, Error?) -> Void)
}

/// The check a block from sync passes before it is committed.
public struct SyncedBlockCheck: Sendable {
    /// Test-only (planted bug (d) of the whole-node simulator): apply a synced block without
    /// checking its certificate. The block is still executed against its header's roots.
    public var skipCertificateCheckForTesting = false

    public init(skipCertificateCheckForTesting: Bool = false) {
        self.skipCertificateCheckForTesting = skipCertificateCheckForTesting
    }

    public func verify(_ block: Block, certificate: CommitCertificate, store: ChainStore, rules: ChainRules,
                sender: (Transaction) throws -> Address) throws -> ExecutedBlock {
        if skipCertificateCheckForTesting {
            return try BlockValidator.validate(block, parent: try store.parentState(for: store.head), rules: rules, sender: sender)
        }
        return try CertifiedBlockCheck.verify(block, certificate: certificate, store: store, rules: rules, sender: sender)
    }
}

/// Block sync without a network: fed peer heights and received blocks, it decides which blocks to
/// ask for from whom, and hands what arrives to the chain to check and apply. At most
/// `batchesAhead` batches wait to be applied while the next is asked for, so the network and
/// sender recovery overlap execution; a request unanswered for `requestTimeoutMs` is sent again.
public final class BlockSync<Peer: BlockSyncPeer>: Sendable {
    public struct Limits: Sendable {
        public init() {}
        /// Blocks asked for in one request (the peer may send fewer).
        public var batchBlocks = 64
        /// Batches received and not yet applied, at most: bounds memory to this many batches
        /// (each within the 66 MiB message cap) plus one in flight.
        public var batchesAhead = 2
        public var requestTimeoutMs: UInt64 = 5_000
        /// Progress is logged at most this often.
        public var logIntervalMs: UInt64 = 2_000
    }

    private struct State {
        var peerHeights: [Peer: UInt64] = [:]
        var outstanding: (peer: Peer, start: UInt64, deadlineMs: UInt64)?
        var progress: SyncProgress?
        /// Batches handed to the chain and not yet applied, and the highest height in them.
        var batchesQueued = 0
        var queuedThrough: UInt64 = 0
    }

    public let limits: Limits
    public let check: SyncedBlockCheck
    private let transport: any BlockSyncTransport<Peer>
    private let chain: any BlockSyncChain
    private let clockMs: @Sendable () -> UInt64
    private let log: @Sendable (String) -> Void
    private let state = Mutex(State())

    public init(transport: any BlockSyncTransport<Peer>, chain: any BlockSyncChain, limits: Limits = Limits(),
         check: SyncedBlockCheck = SyncedBlockCheck(), clockMs: @escaping @Sendable () -> UInt64,
         log: @escaping @Sendable (String) -> Void) {
        self.transport = transport
        self.chain = chain
        self.limits = limits
        self.check = check
        self.clockMs = clockMs
        self.log = log
    }

    // MARK: inputs

    /// A peer said (in its hello or a status) how high its chain is.
    public func peer(_ peer: Peer, reportedHeight height: UInt64) {
        state.withLock { $0.peerHeights[peer] = max($0.peerHeights[peer] ?? 0, height) }
        requestMoreIfBehind()
    }

    public func peerDisconnected(_ peer: Peer) {
        state.withLock { s in
            s.peerHeights[peer] = nil
            if s.outstanding?.peer == peer { s.outstanding = nil }
        }
        requestMoreIfBehind()
    }

    /// The head moved (a commit, or state sync installed one).
    public func headAdvanced() { requestMoreIfBehind() }

    /// Consensus saw `peer` ahead of it: ask it directly, outside the bookkeeping.
    public func fetch(from peer: Peer, start: UInt64) {
        transport.requestBlocks(from: peer, start: start, count: limits.batchBlocks)
    }

    /// Blocks (with their certificates) a peer sent, in height order.
    /// `senderHints` are the senders the peer sent with them (checked by the header's receipts
    /// root, which records each sender, when the blocks execute); only blocks without a hint for every transaction are recovered.
    public func received(_ pairs: [(Block, CommitCertificate)], senderHints: [Hash32: Address] = [:], from peer: Peer) {
        guard let last = pairs.last?.0.height else { return }
        let count = pairs.count
        let highest = state.withLock { s in
            if s.outstanding?.peer == peer { s.outstanding = nil }
            s.batchesQueued += 1
            s.queuedThrough = max(s.queuedThrough, last)
            return max(last, s.peerHeights.values.max() ?? 0)
        }
        // Senders first, then the next batch is asked for while this one executes.
        let unhinted = pairs.map(\.0).filter { !$0.transactions.allSatisfy { senderHints[$0.hash] != nil } }
        let senders = senderHints.merging(unhinted.isEmpty ? [:] : chain.recoverSenders(of: unhinted)) { hint, _ in hint }
        requestMoreIfBehind()
        chain.applySyncedBlocks(pairs, senders: senders, highestHeight: highest, check: check) { [self] applied, error in
            state.withLock { s in
                s.batchesQueued -= 1
                // Anything not applied is asked for again from the head.
                if applied < count { s.queuedThrough = 0 }
            }
            if let error { transport.reportMisbehaviour(peer, reason: "sent a block that does not verify: \(error)") }
            if applied > 0 { logProgress() }
            requestMoreIfBehind()
        }
    }

    // MARK: outputs

    /// nil when in sync; otherwise where sync started, where the node is, and the best peer height.
    public func status() -> (startingBlock: UInt64, currentBlock: UInt64, highestBlock: UInt64)? {
        let head = chain.headHeight
        return state.withLock { s in
            guard let p = s.progress, p.highestHeight > head else { return nil }
            return (p.startingHeight, head, p.highestHeight)
        }
    }

    /// Asks the highest peer for the next blocks when any peer is ahead by more than the height
    /// in progress (consensus decides the next one itself).
    private func requestMoreIfBehind() {
        if chain.isSyncPaused { return }
        let head = chain.headHeight
        let now = clockMs()
        let request: (Peer, UInt64)? = state.withLock { s in
            // Highest peer first; ties broken by the peers' order, never by dictionary order.
            let best = s.peerHeights.min { a, b in a.value != b.value ? a.value > b.value : a.key.ranksBefore(b.key) }
            guard let (peer, height) = best.map({ ($0.key, $0.value) }), height > head else {
                s.progress = nil
                return nil
            }
            if s.progress == nil {
                s.progress = SyncProgress(startingHeight: head, highestHeight: height, startedAtMs: now)
            }
            s.progress!.highestHeight = max(s.progress!.highestHeight, height)
            let start = max(head, s.queuedThrough) + 1
            guard height >= start, s.batchesQueued < limits.batchesAhead else { return nil }
            if let o = s.outstanding, o.start > head, now < o.deadlineMs { return nil }
            s.outstanding = (peer, start, now + limits.requestTimeoutMs)
            return (peer, start)
        }
        if let (peer, start) = request { transport.requestBlocks(from: peer, start: start, count: limits.batchBlocks) }
    }

    private func logProgress() {
        let now = clockMs()
        let head = chain.headHeight
        let line: String? = state.withLock { s in
            guard var p = s.progress, now >= p.lastLogMs + limits.logIntervalMs else { return nil }
            p.lastLogMs = now
            s.progress = p
            return p.line(current: head, nowMs: now)
        }
        if let line { log(line) }
    }
}
