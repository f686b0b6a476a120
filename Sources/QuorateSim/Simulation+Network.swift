import QuorateConsensus
import QuorateCore

/// The simulated network: who can reach whom, loss, duplication and delay (which reorders).
extension Simulation {
    /// Sends a Ready's messages: the checker sees every honest signature first, then Byzantine
    /// senders may swap what part of the network receives.
    func send(_ i: Int, _ messages: [OutboundMessage]) {
        for out in messages {
            let message = out.message
            if message.signer == nodes[i].address {
                if nodes[i].role == .honest, let problem = checker.honestSigned(message, by: nodes[i].validator) {
                    return fail(problem.kind, "node \(i): \(problem.detail)")
                }
                if case .proposal(let p) = message { checker.noteProposed(p.blockHash) }
            }
            let targets: [Int]
            switch out {
            case .broadcast: targets = Array(nodes.indices)
            case .send(_, let address): targets = nodes.indices.filter { nodes[$0].address == address }
            }
            for j in targets where canReach(i, j) {
                transmit(.consensus(byzantineVersion(of: message, from: i)), from: i, to: j)
            }
        }
    }

    /// Whether i's messages can reach j at all: not itself, not its own twin, and a twin's copy
    /// only reaches its side of the network.
    func canReach(_ i: Int, _ j: Int) -> Bool {
        let a = nodes[i], b = nodes[j]
        if a.validator == b.validator { return false }
        if a.role == .twin || b.role == .twin { return a.side == b.side }
        return true
    }

    func transmit(_ payload: SimPayload, from i: Int, to j: Int) {
        guard canReach(i, j), !blocked[i][j] else { return }
        if inChaos, networkRandom.chance(permille: lossPermille) { return }
        let delayMax = inChaos ? options.delayMsMax : options.healedDelayMsMax
        // A slow disk holds back what the sender sends until its last synced write completes.
        let sent = max(now, nodes[i].diskBusyUntilMs)
        queue.push(.deliver(to: j, from: i, payload), at: sent + networkRandom.inRange(1...delayMax))
        if networkRandom.chance(permille: duplicatePermille) {
            queue.push(.deliver(to: j, from: i, payload), at: sent + networkRandom.inRange(1...delayMax))
        }
    }
}
