import QuorateConsensus
import QuorateCore
import QuorateNode

/// A node's process: it hands inputs to its machine and carries out each `Ready` through the
/// node's `ReadyExecutor` (persist, send, schedule, commit, requests), with the simulator's disk,
/// network and timers injected through the node's `SimPort`; a crash can fall at the write.
extension Simulation {
    func input(_ i: Int, _ input: ConsensusInput) {
        guard let before = nodes[i].machine else { return }
        let ready = nodes[i].machine!.handle(input)
        if eventLog != nil { logTransition(i, before: before, input: input, ready: ready) }
        let bugs: PlantedBug = options.faults.sendBeforePersist && nodes[i].role == .honest ? .sendBeforePersist : []
        let port = ports[i]
        ReadyExecutor(persistence: port, transport: port, timers: port, application: port, plantedBugs: bugs).carryOut(ready)
        if case .hardStateAhead = ready.refusal { fail(.store, "node \(i): \(ready.refusal!)") }
    }

    /// The hard-state write, where the persistence-point crashes fall. A crash after the write
    /// keeps it; with sends planted before the write, the crash comes before it.
    func persist(_ i: Int, _ state: HardState) -> Bool {
        guard application.willWriteHardState(node: i, state) else { return true }
        // Writing the node's decided block may have crashed it.
        guard nodes[i].isRunning else { return false }
        nodes[i].writes += 1
        let writeSurvives = !(options.faults.sendBeforePersist && nodes[i].role == .honest)
        if let planted = options.crashAfterWrite, planted.node == i, planted.write == nodes[i].writes {
            if !options.faults.sendBeforePersist { nodes[i].hardState = state }
            note("node \(i) crashes at its hard-state write \(nodes[i].writes)")
            crash(i)
            queue.push(.restart(node: i), at: now + planted.restartAfterMs)
            return false
        }
        if inChaos, options.crashBeforeWritePermille > 0, nodeRandom.chance(permille: options.crashBeforeWritePermille) {
            note("node \(i) crashes before its hard-state write \(nodes[i].writes)")
            crashAtPersistPoint(i)
            return false
        }
        if inChaos, nodeRandom.chance(permille: options.crashAtPersistPermille) {
            if writeSurvives { nodes[i].hardState = state }
            crashAtPersistPoint(i)
            return false
        }
        nodes[i].hardState = state
        if inChaos, options.slowDiskMsMax > 0 {
            nodes[i].diskBusyUntilMs = max(now, nodes[i].diskBusyUntilMs) + nodeRandom.inRange(0...options.slowDiskMsMax)
        }
        application.wroteHardState(node: i)
        return true
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

    func crashAtPersistPoint(_ i: Int) {
        persistenceCrashes += 1
        crash(i)
        let back = now + nodeRandom.inRange(20...500)
        if back < healAtMs { queue.push(.restart(node: i), at: back) }  // else the heal restarts it
    }


    /// Block sync sends a run of blocks from the one asked for.
    func sendBlocks(from i: Int, to j: Int, startingAt h: UInt64) {
        let available = UInt64(nodes[i].chain.count)
        guard h >= 1, h <= available else { return }
        var last = min(h + 15, available)
        if options.silentSyncPermille > 0, networkRandom.chance(permille: options.silentSyncPermille) {
            // The peer goes silent mid-sync: the asker has to ask again, here or elsewhere.
            last = h + networkRandom.inRange(0...(last - h)) - 1
            note("node \(i) goes silent after \(last + 1 - h) of the blocks node \(j) asked for")
            guard last >= h else { return }
        }
        var batch: [CommittedBlock] = []
        for height in h...last {
            var proof = nodes[i].chain[Int(height - 1)]
            if options.byzantineForgeSync, nodes[i].role != .honest {
                // Another block, "certified" by the sender's precommit alone: far from a quorum.
                proof.block.header.timestampMs += 1
                let precommit = try! Vote.sign(chainId: chainId, type: .precommit, height: height,
                                               round: proof.certificate.round, blockHash: proof.block.hash, key: nodes[i].key)
                proof.certificate = CommitCertificate(precommits: [precommit])
            }
            if application.drivesBlockSync { batch.append(proof) } else { transmit(.commitProof(proof), from: i, to: j) }
        }
        // Whole nodes answer a request with one message, as the P2P network does.
        if !batch.isEmpty { transmit(.blocks(batch), from: i, to: j) }
    }

    func commit(_ i: Int, _ committed: CommittedBlock) {
        let height = committed.block.height
        guard height == nodes[i].nextHeight else {
            return fail(.store, "node \(i) committed height \(height) while its chain ends at \(nodes[i].chain.count)")
        }
        let hash = committed.block.hash
        if nodes[i].role == .honest {
            let parent = nodes[i].chainHashes.last ?? genesisParentHash
            if let problem = checker.honestCommitted(committed, hash: hash, parentHash: parent, by: nodes[i].validator) {
                return fail(problem.kind, "node \(i): \(problem.detail)")
            }
        }
        if let problem = application.commit(committed, node: i) { return fail(problem.kind, problem.detail) }
        note("node \(i) (v\(nodes[i].validator)) commits height \(height) round \(committed.certificate.round)")
        nodes[i].chain.append(committed)
        nodes[i].chainHashes.append(hash)
        nodes[i].proofs[height] = nil
        queue.push(.startNextHeight(node: i, epoch: nodes[i].epoch), at: now + nodeRandom.inRange(0...5))
        noteProgress()
    }

    func noteProgress() {
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
        case .blocks(let batch):
            application.receivedBlocks(batch, from: sender, node: i)
        case .status(let height):
            application.peer(sender, reportedHeight: height, node: i)
        }
    }

    /// A block from block sync that a whole node checked and committed: the safety checkers see
    /// it, and it joins the node's chain. False when it broke a check.
    func syncedCommit(_ i: Int, _ proof: CommittedBlock) -> Bool {
        let hash = proof.block.hash
        if nodes[i].role == .honest {
            let parent = nodes[i].chainHashes.last ?? genesisParentHash
            if let problem = checker.honestCommitted(proof, hash: hash, parentHash: parent, by: nodes[i].validator) {
                fail(problem.kind, "node \(i) (block sync): \(problem.detail)")
                return false
            }
        }
        note("node \(i) (v\(nodes[i].validator)) applies synced height \(proof.block.height)")
        nodes[i].chain.append(proof)
        nodes[i].chainHashes.append(hash)
        noteProgress()
        return true
    }

    /// After block sync moved a node's head, its machine starts the next height (as the
    /// production driver does): it did not decide the synced ones.
    func resumeAfterSync(_ i: Int) {
        guard nodes[i].isRunning, violation == nil else { return }
        input(i, .startHeight(nodes[i].nextHeight, validators: validators, restoring: nil))
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
        if let problem = application.crashed(node: i) { fail(problem.kind, problem.detail) }
    }

    /// A new process on the old disk: the chain and the hard state, read back through its encoding.
    func restart(_ i: Int) {
        guard !nodes[i].isRunning else { return }
        // What the store kept: an unsynced tail may be gone.
        let stored = Int(application.restarted(node: i))
        if stored < nodes[i].chain.count {
            nodes[i].chain.removeLast(nodes[i].chain.count - stored)
            nodes[i].chainHashes.removeLast(nodes[i].chainHashes.count - stored)
        }
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
