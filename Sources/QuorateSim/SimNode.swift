import QuorateConsensus
import QuorateCore
import QuorateCrypto

/// How a simulated validator behaves. All but `honest` count toward f.
enum SimRole: String, Sendable {
    case honest
    /// Two copies with the same key, each fed a different part of the network.
    case twin
    /// Sends a different block to part of the network when it proposes.
    case equivocator
    /// Sends a conflicting vote to part of the network, now and then.
    case doubleVoter = "double-voter"
    /// Sends nothing (no instance runs).
    case silent
}

/// One running copy of a validator: its machine (nil while crashed) and its disk.
struct SimNode {
    let id: Int
    /// Index in the validator set (sorted by address).
    let validator: Int
    /// 0, or 1 for a twin's second copy.
    let copy: Int
    let key: Secp256k1.PrivateKey
    let address: Address
    let role: SimRole
    /// Twins split the network into sides: a twin's copy c talks only to instances of side c.
    let side: Int
    var machine: ConsensusMachine?
    /// Bumped at each crash and restart, so that timers and answers of a dead process are dropped.
    var epoch: UInt64 = 0
    // Disk: what survives a crash.
    var hardState: HardState?
    var chain: [CommittedBlock] = []
    var chainHashes: [Hash32] = []
    /// Block-sync inbox: certificates for heights above the next one, applied in order.
    var proofs: [UInt64: CommittedBlock] = [:]
    /// Hard-state writes so far, for the persistence-point test.
    var writes = 0
    /// When the node's last synced write completes (a slow disk); nothing it sends leaves before.
    var diskBusyUntilMs: UInt64 = 0

    var isRunning: Bool { machine != nil }
    var nextHeight: UInt64 { UInt64(chain.count) + 1 }
}

enum SimPayload {
    case consensus(ConsensusMessage)
    case commitProof(CommittedBlock)
    /// Block sync: "send me your blocks from this height on".
    case fetchBlocks(height: UInt64)
    /// Block sync's answer between whole nodes: a run of blocks with their certificates.
    case blocks([CommittedBlock])
    /// "My chain is this high" (whole nodes announce each new head, as the P2P network does).
    case status(height: UInt64)
}

enum SimEvent {
    case deliver(to: Int, from: Int, SimPayload)
    case timer(node: Int, epoch: UInt64, TimeoutRequest)
    case buildAnswer(node: Int, epoch: UInt64, height: UInt64, round: UInt32)
    case validateAnswer(node: Int, epoch: UInt64, Block)
    case startNextHeight(node: Int, epoch: UInt64)
    case crash(node: Int)
    case restart(node: Int)
    case partitionForm(id: Int)
    case partitionHeal(id: Int)
    case heal
    /// The application's own event (clients submitting transactions).
    case application(UInt64)
}
