import QuorateConsensus
import QuorateCore
import QuorateCrypto

/// n validators in one process with a simulated clock, network and disk, every choice drawn
/// from one seed. A run has a faulty period (loss, duplication, reordering, delays, partitions,
/// crashes) that ends in a heal; Byzantine validators (at most f) misbehave throughout. The
/// checkers run after every event; the run stops at the first violation.
public final class Simulation {
    let options: SimOptions
    let chainId: UInt64 = 0x51_5155
    let keys: [Secp256k1.PrivateKey]
    let validators: ValidatorSet
    let validatorsHash: Hash32
    let verifier = SignatureCache()
    var nodes: [SimNode] = []
    var queue = EventQueue<SimEvent>()
    var now: UInt64 = 0
    var events = 0
    var trace = TraceHasher()
    var checker: SafetyChecker
    var violation: Violation?
    var scenario: [String] = []
    /// Crashes drawn at persistence points (hard-state writes, block sync).
    var persistenceCrashes = 0
    let application: SimApplication
    /// Each node's side of the `ReadyExecutor`, by node index.
    var ports: [SimPort] = []
    /// Parent hash of block 1: the application's genesis.
    public var genesisParentHash = EmptyBlocks.genesisParentHash
    let applicationRandomRoot: SimRandom

    // Randomness, one stream per concern.
    var setupRandom: SimRandom
    var networkRandom: SimRandom
    var nodeRandom: SimRandom

    // The faulty period.
    var inChaos = true
    var healAtMs: UInt64 = 0
    var lossPermille: UInt64 = 0
    var duplicatePermille: UInt64 = 0
    var partitionPlans: [[[Bool]]] = []
    var activePartitions: [Int] = []
    var blocked: [[Bool]] = []

    // After the heal.
    var healHeight: UInt64 = 0
    var targetHeight: UInt64 = .max
    var deadlineMs: UInt64 = .max
    var healToProgressMs: UInt64?

    /// Alternative proposals of equivocating proposers, by (validator, height, round).
    var equivocations: [EquivocationKey: Proposal] = [:]

    struct EquivocationKey: Hashable {
        var validator: Int
        var height: UInt64
        var round: UInt32
    }

    /// Receives a line per state change of a node (height, round, step), commit, crash,
    /// restart and network change; `quorate-sim --seed S --trace` prints them.
    public var eventLog: ((String) -> Void)?
    /// Also every delivered message.
    public var logMessages = false

    func note(_ line: @autoclosure () -> String) {
        if let eventLog { eventLog("\(now) ms: \(line())") }
    }

    /// Hard stop against a run that never ends (a bug, not a protocol outcome).
    static let maxEvents = 5_000_000

    /// `application` runs on each validator's machine; the default builds empty blocks.
    public init(options: SimOptions, application: SimApplication? = nil) {
        self.application = application ?? EmptyBlocks()
        self.options = options
        var root = SimRandom(seed: options.seed)
        setupRandom = root.fork()
        networkRandom = root.fork()
        nodeRandom = root.fork()
        var keyRandom = root.fork()
        applicationRandomRoot = root.fork()
        let unsorted = (0..<options.validators).map { _ -> Secp256k1.PrivateKey in
            while true {
                var bytes: [UInt8] = []
                for _ in 0..<4 { withUnsafeBytes(of: keyRandom.next()) { bytes += $0 } }
                if let key = try? Secp256k1.PrivateKey(bytes: bytes) { return key }
            }
        }
        keys = unsorted.sorted { $0.publicKey.ethereumAddress.lexicographicallyPrecedes($1.publicKey.ethereumAddress) }
        validators = try! ValidatorSet(keys.map { Validator(address: Address($0.publicKey.ethereumAddress), nodeKey: []) })
        validatorsHash = validators.hash
        checker = SafetyChecker(chainId: chainId, validators: validators)
        setUpNodes()
        setUpFaultyPeriod()
        ports = nodes.indices.map { SimPort(simulation: self, node: $0) }
        self.application.attach(to: self)
    }

    public func run() -> SimResult {
        for i in nodes.indices { start(i) }
        while violation == nil, let (time, event) = queue.pop() {
            if time > deadlineMs {
                now = deadlineMs
                reportLivenessFailure()
                break
            }
            now = time
            events += 1
            if events > Simulation.maxEvents {
                fail(.liveness, "more than \(Simulation.maxEvents) events without reaching the target")
                break
            }
            handle(event)
            if !inChaos, honestMinHeight() >= targetHeight {
                if let problem = application.finish() { fail(problem.kind, problem.detail) }
                break
            }
        }
        trace.add(now)
        return SimResult(seed: options.seed, validators: options.validators, traceHash: trace.hex, violation: violation,
                         events: events, simulatedMs: now, honestHeight: honestMinHeight(),
                         healToProgressMs: healToProgressMs, scenario: scenario.joined(separator: ", "),
                         hardStateWrites: nodes.map(\.writes), persistenceCrashes: persistenceCrashes)
    }

    private func handle(_ event: SimEvent) {
        trace.add(now)
        switch event {
        case .deliver(let to, let from, let payload):
            traceDelivery(to: to, from: from, payload)
            deliver(payload, to: to, from: from)
        case .timer(let i, let epoch, let request):
            trace.add(0x10 | UInt64(i) << 8 | UInt64(request.kind.rawValue) << 16)
            guard nodes[i].epoch == epoch else { return }
            input(i, .timeout(request))
        case .buildAnswer(let i, let epoch, let h, let r):
            trace.add(0x20 | UInt64(i) << 8)
            // Block sync may have moved the chain past the height while the build was under way (a
            // production node builds within the same step, so there it cannot happen).
            guard nodes[i].epoch == epoch, nodes[i].isRunning, h == nodes[i].nextHeight else { return }
            input(i, .blockBuilt(application.buildBlock(node: i, height: h, round: r), height: h, round: r))
        case .validateAnswer(let i, let epoch, let block):
            trace.add(0x30 | UInt64(i) << 8)
            guard nodes[i].epoch == epoch, nodes[i].isRunning else { return }
            input(i, .blockValidated(block.hash, valid: application.isValid(block, node: i)))
        case .startNextHeight(let i, let epoch):
            trace.add(0x40 | UInt64(i) << 8)
            guard nodes[i].epoch == epoch, nodes[i].isRunning else { return }
            input(i, .startHeight(nodes[i].nextHeight, validators: validators, restoring: nil))
            applyPendingProofs(i)
        case .crash(let i):
            trace.add(0x50 | UInt64(i) << 8)
            crash(i)
        case .restart(let i):
            trace.add(0x60 | UInt64(i) << 8)
            restart(i)
        case .partitionForm(let id):
            trace.add(0x70 | UInt64(id) << 8)
            activePartitions.append(id)
            recomputeBlocked()
            note("partition \(id) forms")
        case .partitionHeal(let id):
            trace.add(0x80 | UInt64(id) << 8)
            activePartitions.removeAll { $0 == id }
            recomputeBlocked()
            note("partition \(id) heals")
        case .application(let code):
            trace.add(0xA0)
            application.handleEvent(code)
        case .heal:
            trace.add(0x90)
            heal()
            note("network healed; honest height \(healHeight), target \(targetHeight) by \(deadlineMs) ms")
        }
    }

    /// End of the faulty period: links come back, loss stops, crashed nodes restart.
    private func heal() {
        inChaos = false
        activePartitions = []
        recomputeBlocked()
        for i in nodes.indices where !nodes[i].isRunning { restart(i) }
        healHeight = nodes.filter { $0.role == .honest }.map { UInt64($0.chain.count) }.max() ?? 0
        targetHeight = healHeight + options.heightsAfterHeal
        deadlineMs = now + options.livenessBoundMs * options.heightsAfterHeal
    }

    func honestMinHeight() -> UInt64 {
        nodes.filter { $0.role == .honest }.map { UInt64($0.chain.count) }.min() ?? 0
    }

    func fail(_ kind: Violation.Kind, _ detail: String) {
        if violation == nil { violation = Violation(kind: kind, atMs: now, detail: detail) }
    }

    private func reportLivenessFailure() {
        let states = nodes.filter { $0.role == .honest }.map { node -> String in
            let m = node.machine
            return "v\(node.validator): height \(node.chain.count) at h\(m?.height ?? 0)/r\(m?.round ?? 0)/\(m?.step.description ?? "down")"
        }
        fail(.liveness, "healed at \(healAtMs) ms with honest height \(healHeight); not every honest validator reached height \(targetHeight) within \(options.livenessBoundMs * options.heightsAfterHeal) ms: \(states.joined(separator: "; "))")
    }

    private func traceDelivery(to: Int, from: Int, _ payload: SimPayload) {
        trace.add(UInt64(to) << 8 | UInt64(from) << 16)
        switch payload {
        case .consensus(.vote(let v)):
            trace.add(UInt64(v.type.rawValue) | v.height << 8 | UInt64(v.round) << 40)
            trace.add(v.blockHash?.bytes ?? [0])
        case .consensus(.proposal(let p)):
            trace.add(3 | p.height << 8 | UInt64(p.round) << 40)
            trace.add(p.blockHash.bytes)
        case .commitProof(let c):
            trace.add(4 | c.block.height << 8)
        case .fetchBlocks(let h):
            trace.add(5 | h << 8)
        case .blocks(let batch):
            trace.add(6 | (batch.first?.block.height ?? 0) << 8 | UInt64(batch.count) << 40)
        case .status(let h):
            trace.add(7 | h << 8)
        }
    }
}
