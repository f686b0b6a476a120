import QuorateConsensus
import QuorateCore
import QuorateCrypto

/// What runs on top of each simulated validator's consensus machine: the blocks it builds, its
/// `valid(v)`, and what committing a block does. The consensus simulator's own application
/// (`EmptyBlocks`) builds empty blocks; the whole-node simulator plugs in real nodes.
public protocol SimApplication: AnyObject {
    func attach(to simulation: Simulation)
    func buildBlock(node: Int, height: UInt64, round: UInt32) -> Block
    func isValid(_ block: Block, node: Int) -> Bool
    /// The machine decided `committed` (or block sync brought it). Returns what went wrong, if the
    /// node could not apply it.
    func commit(_ committed: CommittedBlock, node: Int) -> Violation?
    /// True when the application runs block sync itself (whole nodes: `BlockSync` and the
    /// certified-block check); false to hand synced certificates to the machine.
    var drivesBlockSync: Bool { get }
    /// The machine saw `peer` ahead: fetch its blocks from `height` on (only when driving block sync).
    func fetchBlocks(node: Int, from peer: Int, height: UInt64)
    /// The machine saw `peer` behind (only when driving block sync).
    func syncPeer(node: Int, peer: Int, height: UInt64)
    /// A run of blocks from block sync arrived from `peer`.
    func receivedBlocks(_ blocks: [CommittedBlock], from peer: Int, node: Int)
    /// `peer` announced its chain height.
    func peer(_ peer: Int, reportedHeight height: UInt64, node: Int)
    /// Before the node's hard state is written: false leaves it unwritten (a whole node whose
    /// decided block is still being written does not write a state that holds nothing signed).
    func willWriteHardState(node: Int, _ state: HardState) -> Bool
    /// The node's hard state was written and synced.
    func wroteHardState(node: Int)
    func crashed(node: Int) -> Violation?
    /// A new process on the node's disk; returns the height its store holds.
    func restarted(node: Int) -> UInt64
    /// An event the application scheduled with `Simulation.scheduleApplicationEvent`.
    func handleEvent(_ code: UInt64)
    /// Checks at the end of a run that reached its target.
    func finish() -> Violation?
}

extension Simulation {
    /// The current simulated time.
    public var nowMs: UInt64 { now }
    public var nodeCount: Int { nodes.count }
    public var chain: UInt64 { chainId }
    public var validatorSet: ValidatorSet { validators }
    public var isFaultyPeriod: Bool { inChaos }
    public var seed: UInt64 { options.seed }

    public func address(of node: Int) -> Address { nodes[node].address }
    public func isHonest(_ node: Int) -> Bool { nodes[node].role == .honest }
    public func isRunning(_ node: Int) -> Bool { nodes[node].isRunning }
    public func validatorIndex(of node: Int) -> Int { nodes[node].validator }
    public func signingKey(of node: Int) -> Secp256k1.PrivateKey { nodes[node].key }

    public func scheduleApplicationEvent(_ code: UInt64, at time: UInt64) { queue.push(.application(code), at: time) }

    /// A fresh random stream for the application, drawn from the seed (its draws do not shift the
    /// network's or the nodes').
    public func applicationRandom() -> SimRandom { applicationRandomRoot }

    /// Folds an application value into the run's trace hash.
    public func traceApplication(_ value: UInt64) { trace.add(value) }

    /// Asks `peer` for its blocks from `height` on, over the simulated network.
    public func requestBlocks(node: Int, from peer: Int, height: UInt64) { transmit(.fetchBlocks(height: height), from: node, to: peer) }

    /// Tells every other node this node's chain height.
    public func announceHeight(node: Int, _ height: UInt64) {
        for j in nodes.indices where j != node { transmit(.status(height: height), from: node, to: j) }
    }

    /// A block that the node's block sync checked and committed; false when it broke a check.
    public func blockSyncCommitted(node: Int, _ block: CommittedBlock) -> Bool { syncedCommit(node, block) }

    /// The node's machine moves to the height after its new head.
    public func blockSyncMovedHead(node: Int) { resumeAfterSync(node) }

    /// Adds a line to the event log (`--trace`).
    public func log(_ line: @autoclosure () -> String) { note(line()) }

    /// A crash at one of the application's persistence points; the node restarts a little later.
    public func crashAtPersistencePoint(_ node: Int) { crashAtPersistPoint(node) }

    /// Stops the run with a violation found by the application.
    public func report(_ violation: Violation) { fail(violation.kind, violation.detail) }
}
