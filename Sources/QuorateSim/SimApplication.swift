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
    /// A block from block sync, for the node's next height: true when the application applied it
    /// itself (the whole node checks the certificate and executes), false when it refused it (or
    /// the node crashed on the way), nil to hand it to the machine as `.commitProof`.
    func applySynced(_ committed: CommittedBlock, node: Int) -> Bool?
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

    /// A crash at one of the application's persistence points; the node restarts a little later.
    public func crashAtPersistencePoint(_ node: Int) { crashAtPersistPoint(node) }

    /// Stops the run with a violation found by the application.
    public func report(_ violation: Violation) { fail(violation.kind, violation.detail) }
}
