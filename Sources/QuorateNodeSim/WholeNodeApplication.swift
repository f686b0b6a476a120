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
    private unowned var sim: Simulation!
    var nodes: [SimulatedNode] = []
    var clients: SimClients!
    var checker = NodeChecker()
    private var random = SimRandom(seed: 0)

    public init(bugs: PlantedBug = [], crashMidSyncPermille: UInt64 = 30) {
        self.bugs = bugs
        self.crashMidSyncPermille = crashMidSyncPermille
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

    public func isValid(_ block: Block, node i: Int) -> Bool { nodes[i].validate(block, nowMs: sim.nowMs) }

    public func commit(_ committed: CommittedBlock, node i: Int) -> Violation? {
        do {
            let result = try nodes[i].commit(committed)
            return check(result, node: i)
        } catch {
            return violation(.state, "node \(i) cannot apply the block certified at height \(committed.block.height): \(error)")
        }
    }

    public func applySynced(_ committed: CommittedBlock, node i: Int) -> Bool? {
        // A persistence point of block sync: between two synced batches.
        if sim.isFaultyPeriod, random.chance(permille: crashMidSyncPermille) {
            sim.crashAtPersistencePoint(i)
            return false
        }
        let result: ExecutedBlock
        do { result = try nodes[i].applySynced(committed) } catch { return false }
        if let problem = check(result, node: i) { sim.report(problem) }
        return true
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
        do { return try nodes[i].restart() } catch {
            sim.report(violation(.store, "node \(i) cannot re-open its store: \(error)"))
            return 0
        }
    }

    public func handleEvent(_ code: UInt64) {
        let running = (0..<nodes.count).filter { sim.isRunning($0) }
        let problem = clients.tick(submittingNew: sim.isFaultyPeriod, to: running.map { nodes[$0] }) { hash in
            sim.traceApplication(UInt64(hash.bytes[0]) << 8 | UInt64(hash.bytes[1]))
        }
        if let problem { return sim.report(violation(.transactions, problem)) }
        sim.scheduleApplicationEvent(0, at: sim.nowMs + random.inRange(20...60))
    }

    public func finish() -> Violation? {
        let honest = (0..<nodes.count).filter { sim.isHonest($0) }
        guard let reference = honest.max(by: { nodes[$0].head.height < nodes[$1].head.height }),
              let store = nodes[reference].store else { return nil }
        return clients.checkCommittedOnce(store: store).map { violation(.transactions, $0) }
    }

    private func check(_ result: ExecutedBlock, node i: Int) -> Violation? {
        sim.traceApplication(UInt64(result.stateUpdate.newRoot.bytes[0]) | result.block.height << 8)
        guard sim.isHonest(i) else { return nil }
        return checker.check(result, node: i, balances: nodes[i].balance).map { violation($0.0, $0.1) }
    }

    private func violation(_ kind: Violation.Kind, _ detail: String) -> Violation {
        Violation(kind: kind, atMs: sim.nowMs, detail: detail)
    }
}
