import QuorateConsensus
import QuorateCore

/// A node's process: it hands inputs to its machine and carries out each `Ready` in the
/// documented order (persist, send, schedule, commit, requests), with a crash point after the
/// write.
extension Simulation {
    func input(_ i: Int, _ input: ConsensusInput) {
        guard let before = nodes[i].machine else { return }
        let ready = nodes[i].machine!.handle(input)
        if eventLog != nil { logTransition(i, before: before, input: input, ready: ready) }
        carry(i, ready)
    }

    private func carry(_ i: Int, _ ready: Ready) {
        if ready.hardState != nil { nodes[i].writes += 1 }
        if let planted = options.crashAfterWrite, planted.node == i, planted.write == nodes[i].writes, ready.hardState != nil {
            return crashAtPlantedPoint(i, ready, restartAfterMs: planted.restartAfterMs)
        }
        let crashHere = inChaos && ready.hardState != nil && nodeRandom.chance(permille: options.crashAtPersistPermille)
        if options.faults.sendBeforePersist && nodes[i].role == .honest {
            send(i, ready.messages)
            if crashHere { return crashAtPersistPoint(i) }
            if let state = ready.hardState { nodes[i].hardState = state }
        } else {
            if let state = ready.hardState { nodes[i].hardState = state }
            if crashHere { return crashAtPersistPoint(i) }
            send(i, ready.messages)
        }
        for t in ready.timeouts {
            queue.push(.timer(node: i, epoch: nodes[i].epoch, t), at: now + t.durationMs)
        }
        if let committed = ready.committed { commit(i, committed) }
        for request in ready.requests { carryOut(request, for: i) }
        if case .hardStateAhead = ready.refusal { fail(.store, "node \(i): \(ready.refusal!)") }
    }

    private func logTransition(_ i: Int, before: ConsensusMachine, input: ConsensusInput, ready: Ready) {
        guard let after = nodes[i].machine else { return }
        if logMessages, case .message(let m) = input {
            note("node \(i) <- \(describe(m))\(ready.refusal.map { " refused: \($0)" } ?? "")")
        }
        if (before.height, before.round, before.step) != (after.height, after.round, after.step) {
            let lock = after.lockedRound.map { " locked r\($0)" } ?? ""
            let valid = after.validRound.map { " valid r\($0)" } ?? ""
            note("node \(i) (v\(nodes[i].validator)) h\(after.height) r\(after.round) \(after.step)\(lock)\(valid)")
        }
        for out in ready.messages where out.message.signer == nodes[i].address {
            switch out {
            case .broadcast(let m): note("node \(i) broadcasts \(describe(m))")
            case .send(let m, let to): note("node \(i) sends v\(validators.index(of: to) ?? -1) \(describe(m))")
            }
        }
    }

    func describe(_ m: ConsensusMessage) -> String {
        func short(_ h: Hash32?) -> String { h.map { String($0.hex.dropFirst(2).prefix(6)) } ?? "nil" }
        switch m {
        case .vote(let v):
            return "\(v.type) h\(v.height) r\(v.round) \(short(v.blockHash)) from v\(validators.index(of: v.validator) ?? -1)"
        case .proposal(let p):
            return "proposal h\(p.height) r\(p.round) vr \(p.validRound.map(String.init) ?? "-") \(short(p.blockHash)) from v\(validators.index(of: p.proposer) ?? -1)"
        }
    }

    /// The planted crash of the persistence-point test, in whichever order the node writes and sends.
    private func crashAtPlantedPoint(_ i: Int, _ ready: Ready, restartAfterMs: UInt64) {
        if options.faults.sendBeforePersist { send(i, ready.messages) } else { nodes[i].hardState = ready.hardState }
        note("node \(i) crashes at its hard-state write \(nodes[i].writes)")
        crash(i)
        queue.push(.restart(node: i), at: now + restartAfterMs)
    }

    private func crashAtPersistPoint(_ i: Int) {
        crash(i)
        let back = now + nodeRandom.inRange(20...500)
        if back < healAtMs { queue.push(.restart(node: i), at: back) }  // else the heal restarts it
    }

    private func carryOut(_ request: ConsensusRequest, for i: Int) {
        let epoch = nodes[i].epoch
        switch request {
        case .buildBlock(let h, let r):
            queue.push(.buildAnswer(node: i, epoch: epoch, height: h, round: r), at: now + nodeRandom.inRange(1...10))
        case .validateBlock(let block):
            queue.push(.validateAnswer(node: i, epoch: epoch, block), at: now + nodeRandom.inRange(1...10))
        case .syncPeer(let address, let h):
            for j in nodes.indices where nodes[j].address == address { sendBlocks(from: i, to: j, startingAt: h) }
        case .fetchBlocks(let address, let h):
            for j in nodes.indices where nodes[j].address == address { transmit(.fetchBlocks(height: h), from: i, to: j) }
        }
    }

    /// Block sync sends a run of blocks from the one asked for.
    func sendBlocks(from i: Int, to j: Int, startingAt h: UInt64) {
        let available = UInt64(nodes[i].chain.count)
        guard h >= 1, h <= available else { return }
        for height in h...min(h + 15, available) {
            transmit(.commitProof(nodes[i].chain[Int(height - 1)]), from: i, to: j)
        }
    }

    private func commit(_ i: Int, _ committed: CommittedBlock) {
        let height = committed.block.height
        guard height == nodes[i].nextHeight else {
            return fail(.store, "node \(i) committed height \(height) while its chain ends at \(nodes[i].chain.count)")
        }
        let hash = committed.block.hash
        if nodes[i].role == .honest {
            let parent = nodes[i].chainHashes.last ?? Simulation.genesisParentHash
            if let problem = checker.honestCommitted(committed, hash: hash, parentHash: parent, by: nodes[i].validator) {
                return fail(problem.kind, "node \(i): \(problem.detail)")
            }
        }
        note("node \(i) (v\(nodes[i].validator)) commits height \(height) round \(committed.certificate.round)")
        nodes[i].chain.append(committed)
        nodes[i].chainHashes.append(hash)
        nodes[i].proofs[height] = nil
        queue.push(.startNextHeight(node: i, epoch: nodes[i].epoch), at: now + nodeRandom.inRange(0...5))
        noteProgress()
    }

    private func noteProgress() {
        guard !inChaos, healToProgressMs == nil, honestMinHeight() > healHeight else { return }
        healToProgressMs = now - healAtMs
    }

    func deliver(_ payload: SimPayload, to i: Int, from sender: Int) {
        guard nodes[i].isRunning else { return }
        switch payload {
        case .consensus(let message):
            input(i, .message(message))
        case .commitProof(let proof):
            let h = proof.block.height
            guard h >= nodes[i].nextHeight, h < nodes[i].nextHeight + 64 else { return }
            nodes[i].proofs[h] = proof
            applyPendingProofs(i)
        case .fetchBlocks(let h):
            sendBlocks(from: i, to: sender, startingAt: h)
        }
    }

    /// Feeds the certificate for the machine's current height, if block sync brought it.
    func applyPendingProofs(_ i: Int) {
        guard let machine = nodes[i].machine, machine.step != .committed,
              machine.height == nodes[i].nextHeight, let proof = nodes[i].proofs[machine.height] else { return }
        nodes[i].proofs[machine.height] = nil
        input(i, .commitProof(proof.block, proof.certificate))
    }

    func crash(_ i: Int) {
        guard nodes[i].isRunning else { return }
        note("node \(i) crashes")
        nodes[i].machine = nil
        nodes[i].epoch += 1
        nodes[i].proofs = [:]
    }

    /// A new process on the old disk: the chain and the hard state, read back through its encoding.
    func restart(_ i: Int) {
        guard !nodes[i].isRunning else { return }
        note("node \(i) restarts at height \(nodes[i].nextHeight)")
        nodes[i].epoch += 1
        nodes[i].machine = ConsensusMachine(config: config(for: i))
        var restored: HardState?
        if let state = nodes[i].hardState {
            do {
                restored = try HardState(decoding: state.encoded())
            } catch {
                return fail(.store, "node \(i): persisted hard state does not decode: \(error)")
            }
        }
        input(i, .startHeight(nodes[i].nextHeight, validators: validators, restoring: restored))
    }
}
