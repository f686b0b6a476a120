import Foundation
import QuorateCLI
import QuorateConsensus
import QuorateCore
import QuorateCrypto
import QuorateP2P
import QuorateRPC

/// The node's run-time peer list and allowlist, and the admin JSON-RPC methods over them.
extension Node {
    /// The node keys the chain allows: those of the validator set in force at the head and of
    /// the next height's (a validator joining at the next height must be able to connect before
    /// it has to vote), and the non-voting keys admins allowed on-chain. The one place that
    /// decides the chain's part of the allowlist.
    func chainAllowedKeys() throws -> Set<[UInt8]> {
        let head = store.head.height
        var keys = Set<[UInt8]>()
        for height in [head, head + 1] {
            keys.formUnion(try store.validators(at: height).validators.map(\.nodeKey).filter { !$0.isEmpty })
        }
        keys.formUnion(try store.onChainNodeKeys())
        return keys
    }

    /// Recomputes the chain keys and, when they changed, closes sessions no longer allowed.
    /// Called at start and after every commit (validator sets change only at commits).
    func refreshAllowlist() {
        let keys: Set<[UInt8]>
        do {
            keys = try chainAllowedKeys()
        } catch {
            // The store failed to read a committed validator set: keep the keys we had rather
            // than lock every validator out; the next commit tries again.
            logger.warn("node", "allowlist: could not read the validator sets at height \(store.head.height): \(error)")
            return
        }
        if allowlist.setChainKeys(keys) { networking?.recheckAllowlist() }
    }
}

/// The network side's questions, answered from the node's parts; the network sees only these.
extension Node: PeerNetworkingHost {
    func pooledHashes(limit: Int) -> [Hash32] { mempool.hashesByArrival(limit: limit) }

    func knowsTransaction(_ hash: Hash32) -> Bool {
        mempool.contains(hash) || (try? store.transactionLocation(hash)) != nil
    }

    func pooledTransaction(_ hash: Hash32) -> [UInt8]? { mempool.entry(hash)?.transaction.raw }

    func admitGossiped(_ raws: [[UInt8]]) -> [[UInt8]] {
        // Most gossip repeats what another peer relayed first: a pooled one is dropped by its
        // hash (the keccak of its bytes) before anything decodes it or recovers its sender.
        let pooled = mempool.contains(raws.map { Hash32.keccak($0) })
        let fresh = zip(raws, pooled).compactMap { $1 ? nil : $0 }
        telemetry.rejected(reason: AdmissionError.alreadyKnown.reason, local: false, count: raws.count - fresh.count)
        guard !fresh.isEmpty else { return [] }
        // Signatures checked here, once, off the consensus executor; the batch is pooled at once.
        let prefetched = fresh.count > 1 ? recoverSenders(fresh) : [nil]
        var accepted: [[UInt8]] = []
        var refused: [String: Int] = [:]
        for (raw, result) in zip(fresh, admission.admit(batch: fresh, prefetched: prefetched)) {
            switch result {
            case .success: accepted.append(raw)
            case .failure(let error): refused[error.reason, default: 0] += 1
            }
        }
        telemetry.admittedFromPeers(accepted.count)
        for (reason, count) in refused.sorted(by: { $0.key < $1.key }) {
            telemetry.rejected(reason: reason, local: false, count: count)
        }
        if !accepted.isEmpty { consensus.transactionsArrived() }
        return accepted
    }

    func consensusMessageArrived(_ message: ConsensusMessage) { consensus.receive(message) }

    func stateAnswerArrived(_ items: [[UInt8]], from peer: PeerID) -> Bool { stateSyncInbox.deliver(items, from: peer) }

    /// The head moved (a commit, or state sync installed one): the validator set may have
    /// changed, so the allowlist first, then the network announces the height and syncs on.
    func headMoved(to height: UInt64) {
        refreshAllowlist()
        networking?.committed(height: height)
    }

    /// Block sync's chain: this node's store and consensus executor.
    func syncChain() -> NodeSyncChain {
        NodeSyncChain(store: store, consensus: consensus,
                      paused: { [weak self] in self?.stateSyncing.load(ordering: .relaxed) == true },
                      recover: { [weak self] blocks in self?.recoverSenders(of: blocks) ?? [:] })
    }
}

extension Node: RPCAdminBackend {
    public var nodeAddress: String? {
        guard let key = config.nodeKey, let port = p2pPort else { return nil }
        let address = NodeAddress(publicKey: key.publicKey, host: config.p2pHost, port: port)
        return Hex.encode(key.publicKey.compressed, prefix: true) + "@" + address.hostAndPort
    }

    public func adminPeers() -> [AdminPeerView] {
        guard let networking else { return [] }
        let validators = (try? store.validators(at: store.head.height).validators) ?? []
        return networking.peers().map { peer in
            let key = peer.key.compressed
            return AdminPeerView(nodeKey: key, remoteAddress: peer.remoteAddress, inbound: peer.direction == .inbound,
                                 height: peer.height, validator: validators.first { $0.nodeKey == key }?.address)
        }
    }

    public func addPeer(_ text: String) throws -> Bool {
        let address = try Self.adminPeerAddress(text)
        guard let networking else { throw RPCError.server("this node has no P2P network (start it with a node key)") }
        let key = address.publicKey.compressed
        if let own = config.nodeKey, own.publicKey == address.publicKey {
            throw RPCError.invalidParams("invalid argument 0: \(Hex.encode(key, prefix: true)) is this node's own key")
        }
        let addition = allowlist.addRuntime(key)
        if addition == .full {
            throw RPCError.server("\(PeerAllowlist.maxRuntimeKeys) peers were added at run time already (PeerAllowlist.maxRuntimeKeys); remove one with admin_removePeer or use --allow-peer")
        }
        switch networking.addPeer(address) {
        case .added, .updated:
            return true
        case .configured:
            // A --peer peer is allowed and dialed already; not recording it as a run-time one
            // keeps admin_removePeer from claiming to remove it.
            if addition == .added { allowlist.removeRuntime(key) }
            return true
        case .ownKey:
            preconditionFailure("own key refused above")
        case .notRunning:
            if addition == .added { allowlist.removeRuntime(key) }
            throw RPCError.server("the P2P network is not running")
        }
    }

    public func removePeer(_ text: String) throws -> Bool {
        let address = try Self.adminPeerAddress(text)
        let wasRuntime = allowlist.removeRuntime(address.publicKey.compressed)
        let wasDialed = networking?.removePeer(address.publicKey) ?? false
        // Closes the session unless another source (validator set, --peer, --allow-peer) allows it.
        if wasRuntime { networking?.recheckAllowlist() }
        return wasRuntime || wasDialed
    }

    /// The argument of admin_addPeer/admin_removePeer, refused with -32602 in the words of
    /// `NodeAddress`'s parser.
    private static func adminPeerAddress(_ text: String) throws -> NodeAddress {
        do {
            return try parsePeerAddress(text)
        } catch {
            throw RPCError.invalidParams("invalid argument 0: \(error)")
        }
    }
}
