import QuorateCore
import QuorateP2P
import QuorateStorage
import Synchronization

/// Block sync's view of this node: the store's head, the pause while state sync runs, sender
/// recovery on all cores, and the consensus executor's apply path.
struct NodeSyncChain: BlockSyncChain {
    let store: ChainStore
    let consensus: ConsensusDriver
    let paused: @Sendable () -> Bool
    let recover: @Sendable ([Block]) -> [Hash32: Address]

    var headHeight: UInt64 { store.head.height }
    var isSyncPaused: Bool { paused() }
    func recoverSenders(of blocks: [Block]) -> [Hash32: Address] { recover(blocks) }

    func applySyncedBlocks(_ pairs: [(Block, CommitCertificate)], senders: [Hash32: Address], highestHeight: UInt64,
                           check: SyncedBlockCheck, done: @escaping @Sendable (Int, Error?) -> Void) {
        // The driver checks with CertifiedBlockCheck always; only a simulated node plants the skip.
        precondition(!check.skipCertificateCheckForTesting, "the production node never skips the certificate check")
        consensus.applySyncedBlocks(pairs, senders: senders, highestHeight: highestHeight, done: done)
    }
}

/// The P2P network while it runs (nil before start and after stop), shared by the node's network
/// side and its block sync.
final class NetworkHandle: BlockSyncTransport {
    private let network: Mutex<Network?> = Mutex(nil)

    var current: Network? { network.withLock { $0 } }
    func set(_ net: Network?) -> Network? {
        network.withLock { n in
            defer { n = net }
            return n
        }
    }

    func requestBlocks(from peer: PeerID, start: UInt64, count: Int) {
        current?.requestBlocks(from: peer, startHeight: start, count: count)
    }

    func reportMisbehaviour(_ peer: PeerID, reason: String) { current?.reportMisbehaviour(peer, reason: reason) }
}
