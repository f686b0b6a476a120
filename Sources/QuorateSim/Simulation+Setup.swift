@_spi(Testing) import QuorateConsensus
import QuorateCore

extension Simulation {
    /// Picks the Byzantine validators (at most f, unless a planted fault asks for more) and
    /// creates one instance per running copy.
    func setUpNodes() {
        let n = options.validators, f = options.maxFaulty
        var roles = [SimRole](repeating: .honest, count: n)
        var order = Array(0..<n)
        setupRandom.shuffle(&order)
        if options.faults.twinsBeyondF {
            for v in order.prefix(f + 1) { roles[v] = .twin }
        } else if options.byzantine, f > 0 {
            let kinds: [SimRole] = [.twin, .equivocator, .doubleVoter, .silent]
            for v in order.prefix(setupRandom.below(f + 1)) { roles[v] = kinds[setupRandom.below(kinds.count)] }
        }
        // Non-twin instances are dealt alternately to the two sides, so both sides are populated.
        var nonTwins = (0..<n).filter { roles[$0] != .twin && roles[$0] != .silent }
        setupRandom.shuffle(&nonTwins)
        var side = [Int](repeating: 0, count: n)
        for (k, v) in nonTwins.enumerated() { side[v] = k % 2 }
        for v in 0..<n where roles[v] != .silent {
            for copy in 0..<(roles[v] == .twin ? 2 : 1) {
                nodes.append(SimNode(id: nodes.count, validator: v, copy: copy, key: keys[v],
                                     address: validators.validators[v].address, role: roles[v],
                                     side: roles[v] == .twin ? copy : side[v]))
            }
        }
        blocked = Array(repeating: Array(repeating: false, count: nodes.count), count: nodes.count)
        let byzantine = (0..<n).filter { roles[$0] != .honest }.map { "v\($0) \(roles[$0].rawValue)" }
        scenario.append("n=\(n) f=\(f)")
        scenario.append(byzantine.isEmpty ? "no byzantine" : "byzantine: " + byzantine.joined(separator: " "))
    }

    /// Draws the faulty period: its length, loss and duplication rates, partitions and crashes.
    func setUpFaultyPeriod() {
        let chaosMs = setupRandom.inRange(0...options.chaosMsMax)
        healAtMs = chaosMs
        lossPermille = setupRandom.inRange(0...options.lossPermilleMax)
        duplicatePermille = setupRandom.inRange(0...options.duplicatePermilleMax)
        queue.push(.heal, at: chaosMs)
        let partitionCount = setupRandom.below(3)
        for id in 0..<partitionCount {
            let start = setupRandom.inRange(0...chaosMs)
            let duration = setupRandom.inRange(min(100, options.partitionMsMax)...options.partitionMsMax)
            partitionPlans.append(drawPartition())
            queue.push(.partitionForm(id: id), at: start)
            queue.push(.partitionHeal(id: id), at: min(start + duration, chaosMs))
        }
        let crashCount = setupRandom.below(4)
        for _ in 0..<crashCount {
            let node = setupRandom.below(nodes.count)
            let at = setupRandom.inRange(0...chaosMs)
            let downMs = setupRandom.inRange(50...2_000)
            queue.push(.crash(node: node), at: at)
            queue.push(.restart(node: node), at: min(at + downMs, chaosMs))
        }
        scenario.append("chaos \(chaosMs) ms, loss \(lossPermille)‰, duplication \(duplicatePermille)‰, \(partitionCount) partitions, \(crashCount) crashes")
    }

    /// Symmetric (two groups cut apart) or asymmetric (some directed links cut), half and half.
    private func drawPartition() -> [[Bool]] {
        let count = nodes.count
        var plan = Array(repeating: Array(repeating: false, count: count), count: count)
        if setupRandom.chance(permille: 500) {
            let group = (0..<count).map { _ in setupRandom.below(2) }
            for a in 0..<count { for b in 0..<count where group[a] != group[b] { plan[a][b] = true } }
        } else {
            for a in 0..<count { for b in 0..<count where a != b && setupRandom.chance(permille: 300) { plan[a][b] = true } }
        }
        return plan
    }

    func recomputeBlocked() {
        for a in nodes.indices {
            for b in nodes.indices { blocked[a][b] = activePartitions.contains { partitionPlans[$0][a][b] } }
        }
    }

    func config(for i: Int) -> ConsensusConfig {
        var config = ConsensusConfig(chainId: chainId, params: options.params, signingKey: nodes[i].key,
                                     verifier: verifier, rebroadcastIntervalMs: options.rebroadcastIntervalMs)
        config.faults.ignoreLock = options.faults.ignoreLock
        return config
    }

    func start(_ i: Int) {
        nodes[i].machine = ConsensusMachine(config: config(for: i))
        input(i, .startHeight(1, validators: validators, restoring: nil))
    }
}
