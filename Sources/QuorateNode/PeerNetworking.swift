import Dispatch
import Foundation
import QuorateConsensus
import QuorateCore
import QuorateCrypto
import QuorateP2P
import QuorateRPC
import QuorateStorage
import Synchronization

/// The node's side of the P2P network: consensus messages out (the `ConsensusTransport`) and in
/// (relayed once), transaction gossip both ways, and block sync.
final class PeerNetworking: ConsensusTransport, NetworkDelegate, @unchecked Sendable {
    /// Consensus message hashes remembered for relaying each message once.
    static let seenConsensusCapacity = 16_384
    /// Blocks asked for in one sync request (the peer may send fewer).
    static let syncBatchBlocks = 64
    /// Sync batches received and not yet applied, at most: the next batch is asked for while
    /// one is applied, so the network and sender recovery overlap execution. Bounds memory to
    /// this many batches (each within the 66 MiB message cap) plus one in flight.
    static let syncBatchesAhead = 2
    /// A sync request unanswered after this long is sent again, to the best peer then.
    static let syncRequestTimeoutMs: UInt64 = 5_000
    /// Progress is logged at most this often.
    static let syncLogIntervalMs: UInt64 = 2_000
    /// Pooled transactions announced (by hash, oldest first) to a peer on every (re)connect, and
    /// the most asked for from one announcement. 4096 hashes are 128 KiB: a second or more of
    /// heavy load, far beyond what ~20 tx/s leave pending during a partition of minutes.
    static let maxPoolAnnouncement = 4_096

    private let store: ChainStore
    private let config: NetworkConfig
    private let clockMs: @Sendable () -> UInt64
    private let network: Mutex<Network?> = Mutex(nil)
    private let seen = Mutex(SeenSet(capacity: PeerNetworking.seenConsensusCapacity))
    private let syncState: Mutex<SyncState> = Mutex(SyncState())
    private var gossip: TransactionGossip!
    // Set once by the node before start.
    private(set) weak var node: Node?

    private struct SyncState {
        var peerHeights: [PeerID: UInt64] = [:]
        var outstanding: (peer: PeerID, start: UInt64, deadlineMs: UInt64)?
        var progress: SyncProgress?
        /// Batches handed to the executor and not yet applied, and the highest height in them.
        var batchesQueued = 0
        var queuedThrough: UInt64 = 0
    }

    init(store: ChainStore, config: NetworkConfig, clockMs: @escaping @Sendable () -> UInt64) {
        self.store = store
        self.config = config
        self.clockMs = clockMs
        gossip = TransactionGossip { [weak self] batch in
            StageCPU.measure(.gossipOut) { self?.network.withLock { $0 }?.broadcastTransactions(batch, except: nil) }
        }
    }

    func attach(_ node: Node) { self.node = node }

    func start() throws {
        var config = config
        config.isValidator = { [weak self] key in self?.isCurrentValidator(key) ?? false }
        let net = Network(config: config, delegate: self)
        network.withLock { $0 = net }
        // The first hellos carry the head, not 0: peers that are behind start syncing at once.
        net.announceHeight(store.head.height)
        try net.start()
    }

    func stop() {
        let net = network.withLock { n -> Network? in
            defer { n = nil }
            return n
        }
        net?.stop()
    }

    var boundPort: UInt16? { network.withLock { $0 }?.boundPort }
    var peerCount: Int { network.withLock { $0 }?.connectedPeers.count ?? 0 }
    func peers() -> [Network.PeerInfo] { network.withLock { $0 }?.peers() ?? [] }

    /// Dials `address` for this run; `.notRunning` before start and after stop.
    func addPeer(_ address: NodeAddress) -> Network.PeerAddition {
        network.withLock { $0 }?.addPeer(address) ?? .notRunning
    }

    func removePeer(_ key: PeerID) -> Bool { network.withLock { $0 }?.removePeer(publicKey: key) ?? false }

    /// Closes sessions the allowlist no longer allows (nothing before start).
    func recheckAllowlist() { network.withLock { $0 }?.recheckAllowlist() }

    // MARK: outbound

    func gossipTransaction(_ raw: [UInt8]) { gossip.add(raw) }

    func committed(height: UInt64) {
        // The commit may have changed the validator set: admit the new, drop the removed.
        node?.refreshAllowlist()
        network.withLock { $0 }?.announceHeight(height)
        requestMoreBlocksIfBehind()
    }

    func broadcast(_ message: ConsensusMessage) {
        let payload = message.encoded()
        _ = seen.withLock { $0.insert(Hash32.keccak(payload)) }
        network.withLock { $0 }?.broadcastConsensus(payload, except: nil)
    }

    func send(_ message: ConsensusMessage, to validator: Address) {
        guard let peer = nodeKey(of: validator) else { return }
        network.withLock { $0 }?.sendConsensus(message.encoded(), to: peer)
    }

    /// The machine saw a validator ahead of it: fetch blocks from that validator.
    func fetchBlocks(from validator: Address, height: UInt64) {
        guard let peer = nodeKey(of: validator) else { return }
        requestBlocks(from: peer, start: height)
    }

    /// Whether `key` is the node key of a validator of the set deciding the next height.
    private func isCurrentValidator(_ key: PeerID) -> Bool {
        guard let set = try? store.validators(at: store.head.height + 1) else { return false }
        let compressed = key.compressed
        return set.validators.contains { $0.nodeKey == compressed }
    }

    private func nodeKey(of validator: Address) -> PeerID? {
        guard let v = try? store.validators(at: store.head.height + 1).validators.first(where: { $0.address == validator }),
              !v.nodeKey.isEmpty else { return nil }
        return try? Secp256k1.PublicKey(bytes: v.nodeKey)
    }

    // MARK: inbound

    func network(_ network: Network, peerConnected peer: PeerID, height: UInt64) {
        noteHeight(height, of: peer)
        // What this side accepted while the peer was away (a partition, a restart) reaches it
        // now, rather than when a client resends.
        if let hashes = node?.mempool.hashesByArrival(limit: PeerNetworking.maxPoolAnnouncement), !hashes.isEmpty {
            network.announcePool(hashes, to: peer)
        }
    }

    func network(_ network: Network, peer: PeerID, announcedPool hashes: [Hash32]) {
        guard let node else { return }
        let wanted = hashes.prefix(PeerNetworking.maxPoolAnnouncement).filter {
            !node.mempool.contains($0) && (try? store.transactionLocation($0)) == nil
        }
        network.requestPoolTransactions(Array(wanted), from: peer)
    }

    func network(_ network: Network, pooledTransactions hashes: [Hash32]) -> [[UInt8]] {
        guard let node else { return [] }
        return hashes.prefix(PeerNetworking.maxPoolAnnouncement).compactMap { node.mempool.entry($0)?.transaction.raw }
    }

    func network(_ network: Network, peerDisconnected peer: PeerID) {
        syncState.withLock { s in
            s.peerHeights[peer] = nil
            if s.outstanding?.peer == peer { s.outstanding = nil }
        }
        requestMoreBlocksIfBehind()
    }

    func network(_ network: Network, peer: PeerID, reportedHeight height: UInt64) {
        noteHeight(height, of: peer)
    }

    func network(_ network: Network, didReceiveTransactions raws: [[UInt8]], from peer: PeerID) {
        guard let node else { return }
        var accepted: [[UInt8]] = []
        if raws.count > 1 { node.prefetchSenders(raws) }
        for raw in raws {
            // Signature checked here, once, off the consensus executor; known ones are skipped.
            if (try? node.submit(raw: raw, gossip: false)) != nil { accepted.append(raw) }
        }
        if !accepted.isEmpty { StageCPU.measure(.gossipIn) { network.broadcastTransactions(accepted, except: peer) } }
    }

    func network(_ network: Network, didReceiveConsensus payload: [UInt8], from peer: PeerID) {
        guard seen.withLock({ $0.insert(Hash32.keccak(payload)) }) else { return }
        let message: ConsensusMessage
        do { message = try ConsensusMessage(decoding: payload) } catch {
            network.reportMisbehaviour(peer, reason: "malformed consensus message: \(error)")
            return
        }
        // Relayed, so that a validator with a broken link to the sender still hears it.
        network.broadcastConsensus(payload, except: peer)
        node?.consensus.receive(message)
    }

    func network(_ network: Network, blocksFrom height: UInt64, count: Int) -> [[UInt8]] {
        var out: [[UInt8]] = []
        let head = store.head.height
        var h = height
        while h <= head, out.count < count {
            guard let block = try? store.block(at: h), let certificate = try? store.certificate(at: h) else { break }
            out.append(RLP.encode(.list([RLPItem(bytes: block.encoded()), RLPItem(bytes: certificate.encoded())])))
            h += 1
        }
        return out
    }

    func network(_ network: Network, didReceiveBlocks payloads: [[UInt8]], from peer: PeerID) {
        var pairs: [(Block, CommitCertificate)] = []
        do {
            for payload in payloads {
                let fields = try RLP.decode(payload).listValue()
                guard fields.count == 2 else { throw RLPError(description: "sync payload: expected [block, certificate]") }
                pairs.append((try Block(decoding: try fields[0].bytesValue()),
                              try CommitCertificate(rlp: try RLP.decode(try fields[1].bytesValue()))))
            }
        } catch {
            network.reportMisbehaviour(peer, reason: "malformed blocks: \(error)")
            return
        }
        guard let node, let last = pairs.last?.0.height else { return }
        let received = pairs.count
        syncState.withLock { s in
            if s.outstanding?.peer == peer { s.outstanding = nil }
            s.batchesQueued += 1
            s.queuedThrough = max(s.queuedThrough, last)
        }
        // Senders on all cores, then the next batch is asked for while this one executes.
        let senders = node.recoverSenders(of: pairs.map(\.0))
        requestMoreBlocksIfBehind()
        node.consensus.applySyncedBlocks(pairs, senders: senders) { [weak self] applied, error in
            guard let self else { return }
            self.syncState.withLock { s in
                s.batchesQueued -= 1
                // Anything not applied is asked for again from the head.
                if applied < received { s.queuedThrough = 0 }
            }
            if let error { network.reportMisbehaviour(peer, reason: "sent a block that does not verify: \(error)") }
            if applied > 0 { self.logProgress() }
            self.requestMoreBlocksIfBehind()
        }
    }

    // MARK: state sync (StateSync*.swift)

    func network(_ network: Network, stateRequest items: [[UInt8]], from peer: PeerID) -> [[UInt8]] {
        StateSyncServer(store: store).answer(items)
    }

    func network(_ network: Network, didReceiveStateResponse items: [[UInt8]], from peer: PeerID) {
        if node?.stateSyncInbox.deliver(items, from: peer) == false {
            network.reportMisbehaviour(peer, reason: "an unsolicited state-sync answer")
        }
    }

    func requestState(_ items: [[UInt8]], from peer: PeerID) { network.withLock { $0 }?.requestState(items, from: peer) }
    func holdOff(_ peer: PeerID, reason: String) { network.withLock { $0 }?.reportMisbehaviour(peer, reason: reason) }

    // MARK: sync

    /// nil when in sync; otherwise where sync started, where the node is, and the best peer height.
    func syncStatus() -> (startingBlock: UInt64, currentBlock: UInt64, highestBlock: UInt64)? {
        let head = store.head.height
        return syncState.withLock { s in
            guard let p = s.progress, p.highestHeight > head else { return nil }
            return (p.startingHeight, head, p.highestHeight)
        }
    }

    private func noteHeight(_ height: UInt64, of peer: PeerID) {
        syncState.withLock { $0.peerHeights[peer] = max($0.peerHeights[peer] ?? 0, height) }
        requestMoreBlocksIfBehind()
    }

    /// Asks the highest peer for the next blocks when any peer is ahead by more than the height
    /// in progress (consensus decides the next one itself).
    private func requestMoreBlocksIfBehind() {
        // State sync replaces the head first; fetching (and recovering senders of) blocks it
        // will skip would only slow it down.
        if node?.stateSyncing.load(ordering: .relaxed) == true { return }
        let head = store.head.height
        let now = clockMs()
        let request: (PeerID, UInt64)? = syncState.withLock { s in
            // Highest peer first; ties broken by key so the choice never depends on dictionary order.
            let ranked = s.peerHeights.sorted { a, b in
                a.value != b.value ? a.value > b.value : a.key.compressed.lexicographicallyPrecedes(b.key.compressed)
            }
            guard let (best, height) = ranked.first.map({ ($0.key, $0.value) }), height > head else {
                s.progress = nil
                return nil
            }
            if s.progress == nil {
                s.progress = SyncProgress(startingHeight: head, highestHeight: height, startedAtMs: now)
            }
            s.progress!.highestHeight = max(s.progress!.highestHeight, height)
            let start = max(head, s.queuedThrough) + 1
            guard height >= start, s.batchesQueued < PeerNetworking.syncBatchesAhead else { return nil }
            if let o = s.outstanding, o.start > head, now < o.deadlineMs { return nil }
            s.outstanding = (best, start, now + PeerNetworking.syncRequestTimeoutMs)
            return (best, start)
        }
        if let (peer, start) = request { requestBlocks(from: peer, start: start) }
    }

    private func requestBlocks(from peer: PeerID, start: UInt64) {
        network.withLock { $0 }?.requestBlocks(from: peer, startHeight: start, count: PeerNetworking.syncBatchBlocks)
    }

    private func logProgress() {
        let now = clockMs()
        let line: String? = syncState.withLock { s in
            guard var p = s.progress, now >= p.lastLogMs + PeerNetworking.syncLogIntervalMs else { return nil }
            p.lastLogMs = now
            s.progress = p
            return p.line(current: store.head.height, nowMs: now)
        }
        if let line { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
}
