import Dispatch
import Foundation
import QuorateConsensus
import QuorateCLI
import QuorateCore
import QuorateCrypto
import QuorateP2P
import QuorateRPC
import QuorateStorage
import Synchronization

/// What the network side needs from the node, and no more. The node implements it and pushes
/// commits to `PeerNetworking`; the network never reaches into the node's parts.
protocol PeerNetworkingHost: AnyObject, Sendable {
    /// Pooled transactions by hash, oldest first, at most `limit`.
    func pooledHashes(limit: Int) -> [Hash32]
    /// Whether the transaction is pooled or committed already (not worth asking a peer for).
    func knowsTransaction(_ hash: Hash32) -> Bool
    /// A pooled transaction's raw bytes.
    func pooledTransaction(_ hash: Hash32) -> [UInt8]?
    /// Transactions a peer gossiped: admits them, and returns those admitted (to be relayed).
    func admitGossiped(_ raws: [[UInt8]]) -> [[UInt8]]
    /// The pooled transactions these hashes name, in that order (nil for those not pooled).
    func pooledTransactions(_ hashes: [Hash32]) -> [Transaction?]
    /// A proposal or vote from a peer, decoded and seen for the first time.
    func consensusMessageArrived(_ message: ConsensusMessage)
    /// A state-sync answer; false when nobody asked for it.
    func stateAnswerArrived(_ items: [[UInt8]], from peer: PeerID) -> Bool
}

/// The node's side of the P2P network: consensus messages out (the `ConsensusTransport`) and in
/// (relayed once), transaction gossip both ways, and block sync (`BlockSync`, fed from here).
final class PeerNetworking: ConsensusTransport, NetworkDelegate, @unchecked Sendable {
    /// Consensus message hashes remembered for relaying each message once.
    static let seenConsensusCapacity = 16_384
    /// Pooled transactions announced (by hash, oldest first) to a peer on every (re)connect, and
    /// the most asked for from one announcement. 4096 hashes are 128 KiB: a second or more of
    /// heavy load, far beyond what ~20 tx/s leave pending during a partition of minutes.
    static let maxPoolAnnouncement = 4_096

    let store: ChainStore
    let config: NetworkConfig
    private let clockMs: @Sendable () -> UInt64
    private let network = NetworkHandle()
    private let seen = Mutex(SeenSet(capacity: PeerNetworking.seenConsensusCapacity))
    /// Compact proposals waiting for transactions (`ProposalAssembly`, PeerNetworking+Assembly.swift).
    let assembly: Mutex<ProposalAssembly<PeerID>>
    /// Transactions of the proposals this node sent or assembled since the last commit, served
    /// to peers that lack them like pooled ones: a locked block re-proposed in a later round may
    /// hold transactions no pool has any more (pools lost in restarts, or refused when fetched).
    let proposalTransactions = Mutex(ProposalTransactions())
    private var gossip: TransactionGossip!
    // Both set once by the node before start.
    private(set) weak var host: (any PeerNetworkingHost)?
    private var blockSync: BlockSync<PeerID>!

    init(store: ChainStore, config: NetworkConfig, clockMs: @escaping @Sendable () -> UInt64) {
        self.store = store
        self.config = config
        self.clockMs = clockMs
        assembly = Mutex(ProposalAssembly(committedHeight: store.head.height))
        gossip = TransactionGossip { [weak self] batch in
            StageCPU.measure(.gossipOut) { self?.network.current?.broadcastTransactions(batch, except: nil) }
        }
    }

    /// Wires the node in before start: who answers the network's questions, and the chain block
    /// sync checks and applies blocks to.
    func attach(host: any PeerNetworkingHost, syncChain: any BlockSyncChain, logger: Logger) {
        self.host = host
        blockSync = BlockSync(transport: network, chain: syncChain, clockMs: clockMs) { line in
            logger.info("sync", line)
        }
    }

    func start() throws {
        var config = config
        config.isValidator = { [weak self] key in self?.isCurrentValidator(key) ?? false }
        let net = Network(config: config, delegate: self)
        _ = network.set(net)
        // The first hellos carry the head, not 0: peers that are behind start syncing at once.
        net.announceHeight(store.head.height)
        try net.start()
    }

    func stop() {
        network.set(nil)?.stop()
    }

    /// A line for the node's log, as the network's own lines go.
    func log(_ line: String) { config.log(line) }

    var boundPort: UInt16? { network.current?.boundPort }
    var peerCount: Int { network.current?.connectedPeers.count ?? 0 }
    func peers() -> [Network.PeerInfo] { network.current?.peers() ?? [] }

    /// Dials `address` for this run; `.notRunning` before start and after stop.
    func addPeer(_ address: NodeAddress) -> Network.PeerAddition {
        network.current?.addPeer(address) ?? .notRunning
    }

    func removePeer(_ key: PeerID) -> Bool { network.current?.removePeer(publicKey: key) ?? false }

    /// Closes sessions the allowlist no longer allows (nothing before start).
    func recheckAllowlist() { network.current?.recheckAllowlist() }

    // MARK: outbound

    func gossipTransaction(_ raw: [UInt8]) { gossip.add(raw) }

    /// The head moved to `height` (a commit, or state sync installed it).
    func committed(height: UInt64) {
        network.current?.announceHeight(height)
        assembly.withLock { $0.committed(height: height) }
        proposalTransactions.withLock { $0.remove(through: height) }
        blockSync.headAdvanced()
    }

    /// Proposals leave compact (`ConsensusWire`): receivers rebuild the block from their pools.
    func broadcast(_ message: ConsensusMessage) {
        if case .proposal(let proposal) = message { keepTransactions(of: proposal) }
        let payload = ConsensusWire.encoded(message)
        _ = seen.withLock { $0.insert(Hash32.keccak(payload)) }
        network.current?.broadcastConsensus(payload, except: nil)
    }

    func send(_ message: ConsensusMessage, to validator: Address) {
        guard let peer = nodeKey(of: validator) else { return }
        if case .proposal(let proposal) = message { keepTransactions(of: proposal) }
        network.current?.sendConsensus(ConsensusWire.encoded(message), to: peer)
    }

    /// The machine saw a validator ahead of it: fetch blocks from that validator.
    func fetchBlocks(from validator: Address, height: UInt64) {
        guard let peer = nodeKey(of: validator) else { return }
        blockSync.fetch(from: peer, start: height)
    }

    /// Whether `key` is the node key of a validator of the set deciding the next height.
    func isCurrentValidator(_ key: PeerID) -> Bool {
        guard let set = try? store.validators(at: store.head.height + 1) else { return false }
        let compressed = key.compressed
        return set.validators.contains { $0.nodeKey == compressed }
    }

    func nodeKey(of validator: Address) -> PeerID? {
        guard let v = try? store.validators(at: store.head.height + 1).validators.first(where: { $0.address == validator }),
              !v.nodeKey.isEmpty else { return nil }
        return try? Secp256k1.PublicKey(bytes: v.nodeKey)
    }

    // MARK: inbound

    func network(_ network: Network, peerConnected peer: PeerID, height: UInt64) {
        blockSync.peer(peer, reportedHeight: height)
        // What this side accepted while the peer was away (a partition, a restart) reaches it
        // now, rather than when a client resends.
        if let hashes = host?.pooledHashes(limit: PeerNetworking.maxPoolAnnouncement), !hashes.isEmpty {
            network.announcePool(hashes, to: peer)
        }
    }

    func network(_ network: Network, peer: PeerID, announcedPool hashes: [Hash32]) {
        guard let host else { return }
        let wanted = hashes.prefix(PeerNetworking.maxPoolAnnouncement).filter { !host.knowsTransaction($0) }
        network.requestPoolTransactions(Array(wanted), from: peer)
    }

    func network(_ network: Network, pooledTransactions hashes: [Hash32]) -> [[UInt8]] {
        guard let host else { return [] }
        let wanted = hashes.prefix(PeerNetworking.maxPoolAnnouncement)
        let kept = proposalTransactions.withLock { kept in wanted.map { kept.raw($0) } }
        return zip(wanted, kept).compactMap { hash, kept in host.pooledTransaction(hash) ?? kept }
    }

    func network(_ network: Network, peerDisconnected peer: PeerID) {
        blockSync.peerDisconnected(peer)
    }

    func network(_ network: Network, peer: PeerID, reportedHeight height: UInt64) {
        blockSync.peer(peer, reportedHeight: height)
    }

    func network(_ network: Network, didReceiveTransactions raws: [[UInt8]], from peer: PeerID) {
        // Admitted first, so that those the pool takes have their senders recovered here, off
        // the consensus executor; then waiting proposals take what they miss, admitted or not.
        let accepted = host?.admitGossiped(raws) ?? []
        offerToWaitingProposals(raws)
        guard !accepted.isEmpty else { return }
        // Validators keep a connection to each other and send what they accept to every peer,
        // so what one validator sent has reached the others: relayed only to nodes outside that
        // mesh. Relaying inside it made every validator receive, and often check, each
        // transaction three times (n=4). A validator cut off from another meets its transactions
        // in proposals, or in the pool announcement when the link returns.
        let relayAll = !isCurrentValidator(peer)
        StageCPU.measure(.gossipIn) {
            network.broadcastTransactions(accepted, except: peer) { relayAll || !self.isCurrentValidator($0) }
        }
    }

    func network(_ network: Network, didReceiveConsensus payload: [UInt8], from peer: PeerID) {
        guard seen.withLock({ $0.insert(Hash32.keccak(payload)) }) else { return }
        let message: ConsensusWire
        do { message = try ConsensusWire(decoding: payload) } catch {
            network.reportMisbehaviour(peer, reason: "malformed consensus message: \(error)")
            return
        }
        // A compact proposal makes this node hold state and ask peers for transactions before
        // the machine sees it: it is checked first (window, proposer, signature).
        if case .compactProposal(let compact) = message {
            switch check(compact) {
            case .accept: break
            case .ignore: return
            case .refuse(let reason):
                network.reportMisbehaviour(peer, reason: reason)
                return
            }
        }
        // Relayed as it came (compact), so that a validator with a broken link to the sender
        // still hears it.
        network.broadcastConsensus(payload, except: peer)
        switch message {
        case .vote(let vote): host?.consensusMessageArrived(.vote(vote))
        case .compactProposal(let compact): assemble(compact, from: peer, network: network)
        }
    }

    func network(_ network: Network, blocksFrom height: UInt64, count: Int) -> [[UInt8]] {
        var out: [[UInt8]] = []
        let head = store.head.height
        var h = height
        while h <= head, out.count < count {
            guard let block = try? store.block(at: h), let certificate = try? store.certificate(at: h) else { break }
            // The senders recorded in the receipts go along: the receiver need not recover them.
            let senders = (try? store.senders(at: h)).flatMap { $0?.count == block.transactions.count ? $0 : nil }
            out.append(CertifiedBlock(block: block, certificate: certificate, senders: senders).encoded())
            h += 1
        }
        return out
    }

    func network(_ network: Network, didReceiveBlocks payloads: [[UInt8]], from peer: PeerID) {
        let blocks: [CertifiedBlock]
        do { blocks = try CertifiedBlock.decodeBatch(payloads) } catch {
            network.reportMisbehaviour(peer, reason: "malformed blocks: \(error)")
            return
        }
        var hints: [Hash32: Address] = [:]
        for item in blocks {
            for (tx, sender) in zip(item.block.transactions, item.senders ?? []) { hints[tx.hash] = sender }
        }
        blockSync.received(blocks.map { ($0.block, $0.certificate) }, senderHints: hints, from: peer)
    }

    // MARK: state sync (StateSync*.swift)

    func network(_ network: Network, stateRequest items: [[UInt8]], from peer: PeerID) -> [[UInt8]] {
        StateSyncServer(store: store).answer(items)
    }

    func network(_ network: Network, didReceiveStateResponse items: [[UInt8]], from peer: PeerID) {
        if host?.stateAnswerArrived(items, from: peer) == false {
            network.reportMisbehaviour(peer, reason: "an unsolicited state-sync answer")
        }
    }

    func requestState(_ items: [[UInt8]], from peer: PeerID) { network.current?.requestState(items, from: peer) }
    func holdOff(_ peer: PeerID, reason: String) { network.current?.reportMisbehaviour(peer, reason: reason) }

    // MARK: sync

    /// nil when in sync; otherwise where sync started, where the node is, and the best peer height.
    func syncStatus() -> (startingBlock: UInt64, currentBlock: UInt64, highestBlock: UInt64)? { blockSync.status() }
}
