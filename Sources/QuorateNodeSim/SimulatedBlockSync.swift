import QuorateConsensus
import QuorateCore
import QuorateNode
import QuorateSim

/// Block sync of one simulated node: the production `BlockSync`, with the simulated network as
/// its transport and the simulated node as its chain. Peers are node indices.
enum SimulatedBlockSync {
    /// The simulator's time scale is compressed (rounds of hundreds of ms): a request unanswered
    /// for this long is asked again, instead of production's 5 s.
    static let requestTimeoutMs: UInt64 = 400
    static let batchBlocks = 16

    static func make(application: WholeNodeApplication, node: Int, generation: Int) -> BlockSync<Int> {
        var limits = BlockSync<Int>.Limits()
        limits.batchBlocks = batchBlocks
        limits.requestTimeoutMs = requestTimeoutMs
        let port = Port(application: application, node: node, generation: generation)
        let check = SyncedBlockCheck(skipCertificateCheckForTesting: application.bugs.contains(.skipSyncedCertificateCheck))
        return BlockSync(transport: port, chain: port, limits: limits, check: check,
                         clockMs: { port.nowMs }, log: { port.log($0) })
    }

    /// Both sides of the node's block sync. A process that crashed leaves its `BlockSync` behind:
    /// the generation tells its late calls from the new process's.
    final class Port: BlockSyncTransport, BlockSyncChain, @unchecked Sendable {
        private unowned let application: WholeNodeApplication
        private let node: Int
        private let generation: Int

        init(application: WholeNodeApplication, node: Int, generation: Int) {
            self.application = application
            self.node = node
            self.generation = generation
        }

        private var isCurrent: Bool { application.isCurrent(node: node, generation: generation) }
        var nowMs: UInt64 { application.nowMs }
        func log(_ line: String) { application.log("node \(node) block sync: \(line)") }

        func requestBlocks(from peer: Int, start: UInt64, count: Int) {
            guard isCurrent else { return }
            application.requestBlocks(node: node, from: peer, start: start)
        }

        func reportMisbehaviour(_ peer: Int, reason: String) {
            guard isCurrent else { return }
            application.log("node \(node) holds off node \(peer): \(reason)")
            application.holdOff(peer, node: node)
        }

        var headHeight: UInt64 { isCurrent ? application.headHeight(of: node) : 0 }
        var isSyncPaused: Bool { !isCurrent }
        func recoverSenders(of blocks: [Block]) -> [Hash32: Address] { [:] }

        func applySyncedBlocks(_ pairs: [(Block, CommitCertificate)], senders: [Hash32: Address], highestHeight: UInt64,
                               check: SyncedBlockCheck, done: @escaping @Sendable (Int, Error?) -> Void) {
            guard isCurrent else { return done(0, nil) }
            let (applied, failure) = application.applySynced(pairs, senders: senders, highestHeight: highestHeight,
                                                             check: check, node: node)
            done(applied, failure)
        }
    }
}
