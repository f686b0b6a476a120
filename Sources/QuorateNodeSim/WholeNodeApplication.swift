import Foundation
import QuorateConsensus
import QuorateCore
import QuorateCrypto
import QuorateNode
import QuorateSim
import QuorateState
import QuorateStorage

/// The whole-node simulator's application: every simulated validator is a `SimulatedNode` (real
/// mempool, block builder, validator, executor, block-sync check and LevelDB store), and seeded
/// clients submit signed transfers to them.
public final class WholeNodeApplication: SimApplication {
    let bugs: PlantedBug
    let root: String
    /// Chance (per mille) that a node crashes before it applies a block from block sync.
    let crashMidSyncPermille: UInt64
    /// Chance (per mille) that a node crashes while a decided block's write is under way.
    let crashMidWritePermille: UInt64
    /// How long a decided block's write takes while the next height runs (simulated ms): as long
    /// as building or validating a block (1-10 ms here) and more, so that the next height often
    /// signs while the write is under way.
    static let writeMs: ClosedRange<UInt64> = 1...20
    unowned var sim: Simulation!
    var nodes: [SimulatedNode] = []
    /// Each node's compact-proposal assembly (memory: a new one after a restart).
    var assemblies: [ProposalAssembly<Int>] = []
    /// Each node's block sync (memory: a new one after a restart), and which process made it.
    private var syncs: [BlockSync<Int>] = []
    private var generations: [Int] = []
    /// Until when each node holds off each peer for misbehaving, as the P2P network does (it ends
    /// the session and refuses the peer for a while): nothing of block sync passes meanwhile.
    private var heldOffUntil: [[UInt64]] = []
    /// The simulator's time scale for the network's misbehaviour hold-off.
    static let holdOffMs: UInt64 = 1_000
    var clients: SimClients!
    var checker = NodeChecker()
    private var random = SimRandom(seed: 0)

    public init(bugs: PlantedBug = [], crashMidSyncPermille: UInt64 = 30, crashMidWritePermille: UInt64 = 30) {
        self.bugs = bugs
        self.crashMidSyncPermille = crashMidSyncPermille
        self.crashMidWritePermille = crashMidWritePermille
        // Memory-backed when the machine has it: synced writes are the simulator's hot path.
        let shm = "/dev/shm"
        let base = FileManager.default.isWritableFile(atPath: shm) ? URL(fileURLWithPath: shm) : FileManager.default.temporaryDirectory
        root = base.appendingPathComponent("quorate-nodesim-\(UUID().uuidString)").path
    }

    deinit { removeStores() }

    /// Deletes the nodes' store folders (also done when the application goes away).
    public func removeStores() {
        for node in nodes { node.crash() }
        try? FileManager.default.removeItem(atPath: root)
    }

    public func attach(to simulation: Simulation) {
        sim = simulation
        random = simulation.applicationRandom()
        clients = SimClients(chainId: simulation.chain, random: random.fork())
        let genesis = Genesis(chainId: simulation.chain, timestampMs: 0, validators: simulation.validatorSet,
                              alloc: clients.accounts.map { ($0, SimClients.initialBalance) })
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            nodes = try (0..<simulation.nodeCount).map { i in
                try SimulatedNode(path: root + "/node\(i)", genesis: genesis, address: simulation.address(of: i), bugs: bugs)
            }
        } catch {
            preconditionFailure("cannot create the simulated nodes' stores in \(root): \(error)")
        }
        generations = Array(repeating: 0, count: nodes.count)
        assemblies = nodes.map { _ in ProposalAssembly(committedHeight: 0) }
        heldOffUntil = Array(repeating: Array(repeating: 0, count: nodes.count), count: nodes.count)
        syncs = nodes.indices.map { SimulatedBlockSync.make(application: self, node: $0, generation: 0) }
        simulation.genesisParentHash = nodes[0].head.hash
        checker.totalValue = SimClients.initialBalance * UInt256(UInt64(clients.accounts.count))
        var watched = clients.accounts + clients.recipients
        for i in 0..<simulation.nodeCount where !watched.contains(simulation.address(of: i)) { watched.append(simulation.address(of: i)) }
        checker.watched = watched
        simulation.scheduleApplicationEvent(0, at: 5)
    }

    public func buildBlock(node i: Int, height: UInt64, round: UInt32) -> Block {
        do { return try nodes[i].build(height: height, timestampMs: sim.nowMs) } catch {
            preconditionFailure("node \(i) cannot build block \(height) on its committed head: \(error)")
        }
    }

    public func isValid(_ block: Block, node i: Int) -> Bool {
        guard let rebuilt = assembled(block, node: i) else { return false }
        return nodes[i].validate(rebuilt, nowMs: sim.nowMs)
    }

    /// As `ConsensusDriver.commit`: the block before is written first, then the decided block
    /// is held while its write is under way; the write finishes at an application event a few
    /// ms later, unless something the node signs, or block sync, needs it on disk sooner.
    public func commit(_ committed: CommittedBlock, node i: Int) -> Violation? {
        do {
            if let problem = try writePending(node: i) { return problem }
            try nodes[i].decide(committed)
        } catch {
            return violation(.state, "node \(i) cannot apply the block certified at height \(committed.block.height): \(error)")
        }
        let code = writeFinishedCode(node: i, height: committed.block.height)
        sim.scheduleApplicationEvent(code, at: sim.nowMs + random.inRange(Self.writeMs))
        return nil
    }

    /// Writes node i's decided block, checks it and announces the new head.
    private func writePending(node i: Int) throws -> Violation? {
        guard let result = try nodes[i].writePending() else { return nil }
        if let problem = checkCommitted(result, node: i) { return problem }
        headMoved(node: i)
        return nil
    }

    /// Application event codes: 0 the clients' tick; otherwise a node's block write finishing, for
    /// the node's process (generation) that began it.
    private func writeFinishedCode(node i: Int, height: UInt64) -> UInt64 {
        height << 16 | UInt64(generations[i] & 0xff) << 8 | UInt64(i + 1)
    }

    /// The write of node i's decided block at `height` finishes, unless the node crashes first.
    private func writeFinished(code: UInt64) {
        let i = Int(code & 0xff) - 1, generation = Int(code >> 8 & 0xff), height = code >> 16
        guard sim.isRunning(i), generations[i] & 0xff == generation, nodes[i].pending?.result.block.height == height else { return }
        if sim.isFaultyPeriod, random.chance(permille: crashMidWritePermille) {
            sim.log("node \(i) crashes while block \(height) is being written")
            sim.crashAtPersistencePoint(i)
            return
        }
        do {
            if let problem = try writePending(node: i) { sim.report(problem) }
        } catch {
            sim.report(violation(.store, "node \(i) cannot write block \(height): \(error)"))
        }
    }

    /// As `ConsensusDriver.persistSynced`: while a decided block's write is under way, a state
    /// that holds nothing signed is not written, and anything else waits for the block.
    public func willWriteHardState(node i: Int, _ state: HardState) -> Bool {
        guard nodes[i].pending != nil else { return true }
        if state.holdsNothingSigned { return false }
        if bugs.contains(.hardStateBeforeBlockWrite) { return true }
        do {
            if let problem = try writePending(node: i) { sim.report(problem) }
        } catch {
            sim.report(violation(.store, "node \(i) cannot write its decided block: \(error)"))
        }
        return true
    }

    // MARK: block sync

    public var drivesBlockSync: Bool { true }

    public func fetchBlocks(node i: Int, from peer: Int, height: UInt64) {
        guard !isHeldOff(peer, node: i) else { return }
        syncs[i].fetch(from: peer, start: height)
    }

    /// As the production node: announcing the head makes the peer behind ask for the blocks.
    public func syncPeer(node i: Int, peer: Int, height: UInt64) { sim.announceHeight(node: i, nodes[i].head.height) }

    public func receivedBlocks(_ blocks: [CommittedBlock], from peer: Int, node i: Int) {
        guard !isHeldOff(peer, node: i) else { return }
        syncs[i].received(blocks.map { ($0.block, $0.certificate) }, from: peer)
    }

    public func peer(_ peer: Int, reportedHeight height: UInt64, node i: Int) {
        guard !isHeldOff(peer, node: i) else { return }
        syncs[i].peer(peer, reportedHeight: height)
    }

    func holdOff(_ peer: Int, node i: Int) {
        heldOffUntil[i][peer] = sim.nowMs + Self.holdOffMs
        syncs[i].peerDisconnected(peer)
    }

    private func isHeldOff(_ peer: Int, node i: Int) -> Bool { sim.nowMs < heldOffUntil[i][peer] }

    func isCurrent(node i: Int, generation: Int) -> Bool { generations[i] == generation && sim.isRunning(i) }
    var nowMs: UInt64 { sim.nowMs }
    func log(_ line: String) { sim.log(line) }
    func headHeight(of i: Int) -> UInt64 { nodes[i].head.height }
    func requestBlocks(node i: Int, from peer: Int, start: UInt64) { sim.requestBlocks(node: i, from: peer, height: start) }

    /// Block sync's apply path on node i: each block that extends the head passes the synced-block
    /// check and is committed, with a crash point before each; then the machine moves on.
    func applySynced(_ pairs: [(Block, CommitCertificate)], senders: [Hash32: Address], highestHeight: UInt64,
                     check: SyncedBlockCheck, node i: Int) -> (Int, Error?) {
        var applied = 0
        var failure: Error?
        // The blocks extend the store's head: the decided block's write goes first.
        do {
            if let problem = try writePending(node: i) { sim.report(problem) }
        } catch {
            return (0, error)
        }
        for (block, certificate) in pairs where sim.isRunning(i) && block.height == nodes[i].head.height + 1 {
            // A persistence point of block sync: between two synced blocks.
            if sim.isFaultyPeriod, random.chance(permille: crashMidSyncPermille) {
                sim.log("node \(i) crashes mid block sync, before block \(block.height)")
                sim.crashAtPersistencePoint(i)
                break
            }
            let result: ExecutedBlock
            do { result = try nodes[i].applySynced(block, certificate: certificate, senders: senders,
                                                             highestHeight: highestHeight, check: check) } catch {
                failure = error
                break
            }
            if let problem = checkCommitted(result, node: i) {
                sim.report(problem)
                break
            }
            guard sim.blockSyncCommitted(node: i, CommittedBlock(block: block, certificate: certificate)) else { break }
            applied += 1
        }
        if applied > 0, sim.isRunning(i) {
            headMoved(node: i)
            sim.blockSyncMovedHead(node: i)
        }
        return (applied, failure)
    }

    /// The production node's `headMoved`: announce the height, and block sync goes on.
    private func headMoved(node i: Int) {
        // Starting the next height may have crashed the node at its hard-state write.
        guard sim.isRunning(i) else { return }
        assemblies[i].committed(height: nodes[i].head.height)
        sim.announceHeight(node: i, nodes[i].head.height)
        syncs[i].headAdvanced()
    }

    public func wroteHardState(node i: Int) { nodes[i].wroteHardState() }

    public func crashed(node i: Int) -> Violation? {
        let node = nodes[i]
        let lost = node.acknowledgedHeight > node.syncedHeight
        let detail = "node \(i) crashed with block \(node.acknowledgedHeight) acknowledged to clients but only block \(node.syncedHeight) synced: the unsynced tail may be lost"
        node.crash()
        return lost ? violation(.store, detail) : nil
    }

    public func restarted(node i: Int) -> UInt64 {
        generations[i] += 1
        syncs[i] = SimulatedBlockSync.make(application: self, node: i, generation: generations[i])
        do {
            let height = try nodes[i].restart()
            assemblies[i] = ProposalAssembly(committedHeight: height)
            return height
        } catch {
            sim.report(violation(.store, "node \(i) cannot re-open its store: \(error)"))
            return 0
        }
    }

    public func handleEvent(_ code: UInt64) {
        if code != 0 { return writeFinished(code: code) }
        let running = (0..<nodes.count).filter { sim.isRunning($0) }
        let problem = clients.tick(submittingNew: sim.isFaultyPeriod, to: running.map { nodes[$0] }) { hash in
            sim.traceApplication(UInt64(hash.bytes[0]) << 8 | UInt64(hash.bytes[1]))
        }
        if let problem { return sim.report(violation(.transactions, problem)) }
        sim.scheduleApplicationEvent(0, at: sim.nowMs + random.inRange(20...60))
    }

    public func finish() -> Violation? {
        // As a node's clean stop does, the writes under way finish first.
        for i in nodes.indices where sim.isRunning(i) {
            do {
                if let problem = try writePending(node: i) { return problem }
            } catch {
                return violation(.store, "node \(i) cannot write its decided block: \(error)")
            }
        }
        let honest = (0..<nodes.count).filter { sim.isHonest($0) }
        guard let reference = honest.max(by: { nodes[$0].head.height < nodes[$1].head.height }),
              let store = nodes[reference].store else { return nil }
        return clients.checkCommittedOnce(store: store).map { violation(.transactions, $0) }
    }

    private func checkCommitted(_ result: ExecutedBlock, node i: Int) -> Violation? {
        sim.traceApplication(UInt64(result.stateUpdate.newRoot.bytes[0]) | result.block.height << 8)
        guard sim.isHonest(i) else { return nil }
        return checker.check(result, node: i, balances: nodes[i].balance).map { violation($0.0, $0.1) }
    }

    private func violation(_ kind: Violation.Kind, _ detail: String) -> Violation {
        Violation(kind: kind, atMs: sim.nowMs, detail: detail)
    }
}
