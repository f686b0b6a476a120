@_spi(Testing) @testable import QuorateConsensus
import QuorateCore
import Testing

@Suite struct MachineBehaviourTests {
    let chain = TestChain(n: 4)

    @Test("timeouts grow linearly with the round and stop at the cap")
    func timeoutsAreLinearAndCapped() {
        var params = ConsensusParams()
        params.timeoutProposeMs = 1_000
        params.timeoutPrevoteMs = 500
        params.timeoutDeltaMs = 250
        params.timeoutMaxMs = 3_000
        let m = ConsensusMachine(config: ConsensusConfig(chainId: 1, params: params, signingKey: nil))
        #expect(m.timeoutDurationMs(.propose, round: 0) == 1_000)
        #expect(m.timeoutDurationMs(.propose, round: 4) == 2_000)
        #expect(m.timeoutDurationMs(.prevote, round: 4) == 1_500)
        #expect(m.timeoutDurationMs(.propose, round: 9) == 3_000)
        #expect(m.timeoutDurationMs(.propose, round: UInt32.max) == 3_000, "no overflow")
    }

    @Test("a duplicated rebroadcast timer does not start a second chain of timers")
    func rebroadcastChainIsSingle() throws {
        var m = ConsensusMachine(config: chain.config(0))
        let start = m.handle(.startHeight(1, validators: chain.validators, restoring: nil))
        let timer = try #require(start.timeouts.first { $0.kind == .rebroadcast })
        let first = m.handle(.timeout(timer))
        #expect(first.timeouts.filter { $0.kind == .rebroadcast }.count == 1)
        #expect(m.handle(.timeout(timer)).timeouts.isEmpty, "the same timer again is stale")
    }

    @Test("rebroadcast re-sends this validator's own latest votes")
    func rebroadcastResendsVotes() throws {
        var c = TestCluster(chain)
        c.startAll()
        c.fire(0, .propose)
        let prevote = try #require(c.vote(of: 0, .prevote, round: 0))
        let tick = c.fire(0, .rebroadcast)
        #expect(tick.messages == [.broadcast(.vote(prevote))])
    }

    @Test("a non-voting node commits with the validators but signs nothing")
    func observerCommits() throws {
        var c = TestCluster(chain)
        c.startAll()
        var observer = ConsensusMachine(config: chain.config(nil))
        let start = observer.handle(.startHeight(1, validators: chain.validators, restoring: nil))
        #expect(start.messages.isEmpty)
        let proposer = chain.proposer(height: 1, round: 0)
        let block = chain.block(height: 1, tag: 1)
        c.answerBuild(proposer, block)
        c.deliverAll(where: TestCluster.isProposal(round: 0))
        c.deliverAll(where: TestCluster.isVote(.prevote, round: 0))
        c.deliverAll(where: TestCluster.isVote(.precommit, round: 0))
        var committed: CommittedBlock?
        for i in 0..<4 {
            for case .broadcast(let m) in c.sent[i] {
                let ready = observer.handle(.message(m))
                #expect(ready.messages.isEmpty)
                for case .validateBlock(let b) in ready.requests {
                    _ = observer.handle(.blockValidated(b.hash, valid: true))
                }
                committed = committed ?? ready.committed
            }
        }
        // The last precommit may have arrived before the validation answer; the answer decides then.
        #expect(observer.step == .committed)
        #expect(c.commits.allSatisfy { $0.map(\.block) == [block] })
        _ = committed
    }

    @Test("an invalid block gets prevotes for nil and is never committed")
    func invalidBlockIsNotCommitted() {
        var c = TestCluster(chain)
        c.autoValidate = false
        c.startAll()
        let proposer = chain.proposer(height: 1, round: 0)
        let bad = chain.block(height: 1, tag: 0xBA)
        c.answerBuild(proposer, bad)
        c.deliverAll(where: TestCluster.isProposal(round: 0))
        for i in 0..<4 where i != proposer {
            #expect(c.vote(of: i, .prevote, round: 0) == nil, "waits for the node's verdict")
            c.apply(i, .blockValidated(bad.hash, valid: false))
            #expect(c.vote(of: i, .prevote, round: 0)?.blockHash == nil)
        }
        c.deliverAll(where: TestCluster.isVote(.prevote, round: 0))
        c.deliverAll(where: TestCluster.isVote(.precommit, round: 0))
        #expect(c.commits.allSatisfy { $0.isEmpty })
    }

    @Test("block sync commits a height from a verified certificate; a forged one is refused")
    func commitProof() throws {
        var c = TestCluster(chain)
        c.startAll()
        let proposer = chain.proposer(height: 1, round: 0)
        let block = chain.block(height: 1, tag: 1)
        c.answerBuild(proposer, block)
        let others = (0..<4).filter { $0 != 3 }
        c.deliverAll(to: others, where: TestCluster.isProposal(round: 0))
        c.deliverAll(to: others, where: TestCluster.isVote(.prevote, round: 0))
        c.deliverAll(to: others, where: TestCluster.isVote(.precommit, round: 0))
        let proof = try #require(c.commits[0].first)
        var lagging = ConsensusMachine(config: chain.config(3))
        _ = lagging.handle(.startHeight(1, validators: chain.validators, restoring: nil))
        var forged = proof.certificate
        forged.signatures.removeLast(forged.signatures.count - 2)
        guard case .badCertificate = lagging.handle(.commitProof(block, forged)).refusal else {
            Issue.record("a certificate below the quorum was taken"); return
        }
        guard case .badCertificate = lagging.handle(.commitProof(chain.block(height: 1, tag: 2), proof.certificate)).refusal else {
            Issue.record("a certificate for another block was taken"); return
        }
        #expect(lagging.handle(.commitProof(block, proof.certificate)).committed == proof)
    }

    @Test("a validator still sending messages of a committed height is sent to block sync")
    func laggingHeightIsSynced() throws {
        var m = ConsensusMachine(config: chain.config(0))
        let start = m.handle(.startHeight(5, validators: chain.validators, restoring: nil))
        let old = chain.vote(2, .precommit, height: 4, round: 0, nil)
        #expect(m.handle(.message(.vote(old))).requests.isEmpty, "right after a commit, old messages are still in flight")
        _ = m.handle(.timeout(try #require(start.timeouts.first { $0.kind == .rebroadcast })))
        let ready = m.handle(.message(.vote(old)))
        #expect(ready.requests == [.syncPeer(chain.address(2), height: 4)])
        #expect(ready.refusal == .heightBehind(4, current: 5))
        #expect(m.handle(.message(.vote(chain.vote(2, .prevote, height: 4, round: 1, nil)))).requests.isEmpty,
                "once per validator per interval")
    }

    @Test("a validator stuck in an earlier round gets the precommits that moved this one on")
    func laggingRoundIsHelped() {
        var c = TestCluster(chain)
        c.startAll()
        for i in 0..<4 { c.fire(i, .propose) }
        c.deliverAll(to: [0, 1, 2], where: TestCluster.isVote(.prevote, round: 0))
        c.deliverAll(to: [0, 1, 2], where: TestCluster.isVote(.precommit, round: 0))
        c.fire(0, .precommit)
        #expect(c.machines[0].round == 1)
        // 3 is still in round 0 and re-sends its prevote; 0 answers with round 0's precommits.
        let ready = c.apply(0, .message(.vote(c.vote(of: 3, .prevote, round: 0)!)))
        let helped = ready.messages.compactMap { out -> Vote? in
            guard case .send(.vote(let v), let to) = out, to == chain.address(3) else { return nil }
            return v
        }
        #expect(helped.filter { $0.type == .precommit && $0.round == 0 }.count == 3)
        for vote in helped { c.apply(3, .message(.vote(vote))) }
        c.fire(3, .precommit)
        #expect(c.machines[3].round == 1)
    }

    @Test("status lists the validators whose votes of this round are missing")
    func statusListsMissingVotes() {
        var c = TestCluster(chain)
        c.startAll()
        c.fire(1, .propose)
        c.deliver(from: 1, to: [0], where: TestCluster.isVote(.prevote, round: 0))
        let status = c.machines[0].status
        #expect(status.missingPrevotes == [chain.address(0), chain.address(2), chain.address(3)])
        #expect(status.missingPrecommits.count == 4)
    }
}
