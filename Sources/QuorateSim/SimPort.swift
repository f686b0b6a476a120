import QuorateConsensus
import QuorateCore
import QuorateNode

/// One simulated node's side of its `ReadyExecutor`: the hard-state write goes to the simulated
/// disk (where crashes fall), messages to the simulated network, timers and the answers to build
/// and validate requests to the event queue, commits to the chain and the application.
final class SimPort: HardStatePersistence, ConsensusTransport, TimerScheduler, ReadyApplication, @unchecked Sendable {
    private unowned let sim: Simulation
    private let i: Int

    init(simulation: Simulation, node: Int) {
        sim = simulation
        i = node
    }

    func persistSynced(_ state: HardState) -> Bool { sim.persist(i, state) }

    func broadcast(_ message: ConsensusMessage) { sim.send(i, [.broadcast(message)]) }
    func send(_ message: ConsensusMessage, to validator: Address) { sim.send(i, [.send(message, to: validator)]) }
    func willSend(_ outbound: OutboundMessage) {}

    func schedule(_ timeout: TimeoutRequest) {
        sim.queue.push(.timer(node: i, epoch: sim.nodes[i].epoch, timeout), at: sim.now + timeout.durationMs)
    }

    func commit(_ committed: CommittedBlock) { sim.commit(i, committed) }

    func buildBlock(height: UInt64, round: UInt32) {
        sim.queue.push(.buildAnswer(node: i, epoch: sim.nodes[i].epoch, height: height, round: round),
                       at: sim.now + sim.nodeRandom.inRange(1...10))
    }

    func validateBlock(_ block: Block) {
        sim.queue.push(.validateAnswer(node: i, epoch: sim.nodes[i].epoch, block), at: sim.now + sim.nodeRandom.inRange(1...10))
    }

    func syncPeer(_ validator: Address, height: UInt64) {
        for j in sim.nodes.indices where sim.nodes[j].address == validator {
            if sim.application.drivesBlockSync {
                sim.application.syncPeer(node: i, peer: j, height: height)
            } else {
                sim.sendBlocks(from: i, to: j, startingAt: height)
            }
        }
    }

    func fetchBlocks(from validator: Address, height: UInt64) {
        for j in sim.nodes.indices where sim.nodes[j].address == validator {
            if sim.application.drivesBlockSync {
                sim.application.fetchBlocks(node: i, from: j, height: height)
            } else {
                sim.transmit(.fetchBlocks(height: height), from: i, to: j)
            }
        }
    }
}
