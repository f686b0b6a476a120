import QuorateConsensus
import QuorateCore

/// The one clock rule of valid(v): how far ahead of this node's clock a proposed block's
/// timestamp may be. Shared by the driver and the whole-node simulator.
public enum ProposalClock {
    public static let maxTimestampDriftMs: UInt64 = 10_000
}

/// Hands a timeout back to the machine after its duration.
public protocol TimerScheduler {
    func schedule(_ timeout: TimeoutRequest)
}

/// Where the hard state goes, synced, before anything of its `Ready` leaves the process.
public protocol HardStatePersistence {
    /// Writes and syncs `state`. Returns false when the process did not survive the write (the
    /// simulator's crash points): nothing more of that `Ready` is carried out.
    func persistSynced(_ state: HardState) -> Bool
}

/// The node's side of a `Ready`: storing what was decided and answering the machine's requests.
/// Build and validate answer later with an input; sync requests go to block sync.
public protocol ReadyApplication: AnyObject {
    /// Each of this node's outbound messages, just before the transport gets it.
    func willSend(_ outbound: OutboundMessage)
    func commit(_ committed: CommittedBlock)
    func buildBlock(height: UInt64, round: UInt32)
    func validateBlock(_ block: Block)
    /// A validator behind this node: it needs the blocks from `height` on.
    func syncPeer(_ validator: Address, height: UInt64)
    /// A validator ahead of this node: fetch its blocks from `height` on.
    func fetchBlocks(from validator: Address, height: UInt64)
}

/// Bugs planted on purpose, so that a test can prove the whole-node simulator finds each. Only
/// tests and `quorate-sim --plant` set them; a production node runs with none.
public struct PlantedBug: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Send a `Ready`'s messages before its hard state is written.
    public static let sendBeforePersist = PlantedBug(rawValue: 1 << 0)
    /// (a) Commit a block (acknowledge its transactions, go on to the next height) before the
    /// write holding it is synced.
    public static let commitBeforeSync = PlantedBug(rawValue: 1 << 1)
    /// (b) Accept a block whose header state root differs from the executed one.
    public static let skipStateRootCheck = PlantedBug(rawValue: 1 << 2)
    /// (c) Let the mempool admit a second transaction for a sender's nonce.
    public static let mempoolDuplicateNonce = PlantedBug(rawValue: 1 << 3)
    /// (d) Apply a block from block sync without checking its certificate.
    public static let skipSyncedCertificateCheck = PlantedBug(rawValue: 1 << 4)
    /// (e) Write a hard state that signs at the next height while the decided block's write is
    /// still under way (overlapping heights).
    public static let hardStateBeforeBlockWrite = PlantedBug(rawValue: 1 << 5)

    public static let named: [(String, PlantedBug)] = [
        ("send-before-persist", .sendBeforePersist), ("commit-before-sync", .commitBeforeSync),
        ("skip-state-root", .skipStateRootCheck), ("mempool-duplicate-nonce", .mempoolDuplicateNonce),
        ("skip-sync-certificate", .skipSyncedCertificateCheck), ("hard-state-before-block-write", .hardStateBeforeBlockWrite),
    ]
}

/// Carries out one `Ready` of the consensus machine in the order it demands: persist the hard
/// state (synced), send, schedule, commit, then the requests. The production driver and the
/// simulator both run this one type; they differ only in what they inject.
public struct ReadyExecutor {
    public let persistence: HardStatePersistence
    public let transport: ConsensusTransport
    public let timers: TimerScheduler
    public unowned let application: ReadyApplication
    public var plantedBugs: PlantedBug

    public init(persistence: HardStatePersistence, transport: ConsensusTransport, timers: TimerScheduler,
                application: ReadyApplication, plantedBugs: PlantedBug = []) {
        self.persistence = persistence
        self.transport = transport
        self.timers = timers
        self.application = application
        self.plantedBugs = plantedBugs
    }

    /// Returns false when the process stopped at a persistence point (the rest was not carried out).
    @discardableResult
    public func carryOut(_ ready: Ready) -> Bool {
        if plantedBugs.contains(.sendBeforePersist) {
            send(ready.messages)
            if let state = ready.hardState, !persistence.persistSynced(state) { return false }
        } else {
            // Nothing signed against this state may leave before it is durable: a crash in between
            // would let the validator sign twice.
            if let state = ready.hardState, !persistence.persistSynced(state) { return false }
            send(ready.messages)
        }
        for timeout in ready.timeouts { timers.schedule(timeout) }
        if let committed = ready.committed { application.commit(committed) }
        for request in ready.requests {
            switch request {
            case .buildBlock(let height, let round): application.buildBlock(height: height, round: round)
            case .validateBlock(let block): application.validateBlock(block)
            case .syncPeer(let validator, let height): application.syncPeer(validator, height: height)
            case .fetchBlocks(let validator, let height): application.fetchBlocks(from: validator, height: height)
            }
        }
        return true
    }

    private func send(_ messages: [OutboundMessage]) {
        for outbound in messages {
            application.willSend(outbound)
            switch outbound {
            case .broadcast(let message): transport.broadcast(message)
            case .send(let message, let to): transport.send(message, to: to)
            }
        }
    }
}
