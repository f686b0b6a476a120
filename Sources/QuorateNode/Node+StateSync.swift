import QuorateP2P
import Synchronization

extension Node {
    /// With a store at genesis: network first, then state sync on the consensus executor (block
    /// sync waits behind it), then consensus from the installed head. A store past genesis
    /// already has a state: it catches up by block sync as usual.
    func startWithStateSync(_ networking: PeerNetworking) throws {
        guard store.head.height == 0 else {
            NodeCommands.log("--state-sync: the store is at height \(store.head.height), past genesis; catching up by block sync")
            try consensus.start()
            try networking.start()
            return
        }
        let transport = StateSyncClient.Transport(
            peers: { networking.peers().map { ($0.key, $0.height) } },
            send: { items, peer in networking.requestState(items, from: peer) },
            holdOff: { peer, reason in networking.holdOff(peer, reason: reason) })
        let client = StateSyncClient(store: store, inbox: stateSyncInbox, transport: transport)
        stateSyncing.store(true, ordering: .sequentiallyConsistent)
        defer { stateSyncing.store(false, ordering: .sequentiallyConsistent) }
        try consensus.runExclusively {
            try networking.start()
            _ = try client.run()
        }
        stateSyncing.store(false, ordering: .sequentiallyConsistent)
        try consensus.start()
        // Announce the new head (the validator set may differ from genesis's) and block-sync on.
        headMoved(to: store.head.height)
    }
}
