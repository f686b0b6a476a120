@_spi(Testing) @testable import QuorateConsensus
import QuorateCore
import Testing

/// The scenarios of Buchman, Kwon, Milosevic 2018, each driven message by message.
@Suite struct PaperScenarioTests {
    @Test("a lone validator commits each height by itself (n=1)")
    func loneValidator() throws {
        let chain = TestChain(n: 1)
        var machine = ConsensusMachine(config: chain.config(0))
        for h: UInt64 in 1...3 {
            let start = machine.handle(.startHeight(h, validators: chain.validators, restoring: nil))
            #expect(start.requests == [.buildBlock(height: h, round: 0)])
            #expect(start.hardState?.height == h)
            let block = chain.block(height: h, tag: 1)
            let ready = machine.handle(.blockBuilt(block, height: h, round: 0))
            let committed = try #require(ready.committed)
            #expect(committed.block == block)
            #expect(try committed.certificate.verify(validators: chain.validators, chainId: TestChain.chainId) == 1)
            #expect(ready.hardState?.lastPrecommit?.blockHash == block.hash, "what was signed is persisted in the same Ready")
            #expect(ready.messages.count == 3, "proposal, prevote, precommit")
        }
    }

    /// Round 0: the lockers {0, 1, 3} see 2f+1 prevotes for A, lock on A and precommit it; only
    /// validator 0 receives those precommits and commits A. Round 1: validator 2, which never saw
    /// the proposal, proposes a fresh block B. The locked validators must prevote nil.
    static func lockingSchedule(_ faults: ConsensusFaults) -> (TestCluster, a: Block, b: Block) {
        let chain = TestChain(n: 4)
        var c = TestCluster(chain, faults: faults)
        #expect(chain.proposer(height: 1, round: 0) == 1 && chain.proposer(height: 1, round: 1) == 2)
        let a = chain.block(height: 1, tag: 0xA), b = chain.block(height: 1, tag: 0xB)
        c.startAll()
        c.answerBuild(1, a)
        c.deliver(from: 1, to: [0, 3], where: TestCluster.isProposal(round: 0))
        c.fire(2, .propose)  // 2 never got the proposal
        c.deliverAll(where: TestCluster.isVote(.prevote, round: 0))
        c.fire(2, .prevote)
        for i in [0, 1, 3] { #expect(c.vote(of: i, .precommit, round: 0)?.blockHash == a.hash) }
        #expect(c.vote(of: 2, .precommit, round: 0)?.blockHash == nil)
        c.deliver(from: 1, to: [0, 2, 3], where: TestCluster.isVote(.precommit, round: 0))
        c.deliver(from: 3, to: [0, 1, 2], where: TestCluster.isVote(.precommit, round: 0))
        c.deliver(from: 2, to: [1, 3], where: TestCluster.isVote(.precommit, round: 0))
        #expect(c.commits[0].map(\.block.hash) == [a.hash])
        for i in [1, 2, 3] {
            #expect(c.commits[i].isEmpty)
            c.fire(i, .precommit)
            #expect(c.machines[i].round == 1)
        }
        c.answerBuild(2, b)
        c.deliver(from: 2, to: [1, 3], where: TestCluster.isProposal(round: 1))
        c.deliverAll(to: [1, 2, 3], where: TestCluster.isVote(.prevote, round: 1))
        c.deliverAll(to: [1, 2, 3], where: TestCluster.isVote(.precommit, round: 1))
        return (c, a, b)
    }

    @Test("locking prevents a conflicting commit after a round change (n=4, f=1)")
    func lockingPreventsConflictingCommit() {
        let (c, a, _) = Self.lockingSchedule(ConsensusFaults())
        for i in [1, 3] {
            #expect(c.machines[i].lockedBlockHash == a.hash)
            #expect(c.vote(of: i, .prevote, round: 1)?.blockHash == nil, "locked on A, so no prevote for B")
        }
        for i in [1, 2, 3] { #expect(c.commits[i].isEmpty) }
    }

    @Test("with locking off the same schedule commits two different blocks (planted fault)")
    func lockingOffBreaksAgreement() {
        var faults = ConsensusFaults()
        faults.ignoreLock = true
        let (c, a, b) = Self.lockingSchedule(faults)
        #expect(c.commits[0].map(\.block.hash) == [a.hash])
        #expect(c.commits[1].map(\.block.hash) == [b.hash])
    }

    @Test("a valid value is re-proposed with its valid round (n=4, f=1)")
    func validValueIsReproposed() {
        let chain = TestChain(n: 4)
        var c = TestCluster(chain)
        let a = chain.block(height: 1, tag: 0xA)
        c.startAll()
        c.answerBuild(1, a)
        c.deliver(from: 1, to: [0, 2], where: TestCluster.isProposal(round: 0))
        c.fire(3, .propose)
        // 2 sees all of round 0's prevotes; 0, 1 and 3 miss 2's.
        c.deliverAll(to: [2], where: TestCluster.isVote(.prevote, round: 0))
        for from in [0, 1, 3] { c.deliver(from: from, to: [0, 1, 3], where: TestCluster.isVote(.prevote, round: 0)) }
        #expect(c.machines[2].validBlock?.hash == a.hash && c.machines[2].validRound == 0)
        for i in [0, 1, 3] { c.fire(i, .prevote) }
        c.deliverAll(where: TestCluster.isVote(.precommit, round: 0))
        for i in 0..<4 {
            #expect(c.commits[i].isEmpty)
            c.fire(i, .precommit)
        }
        let reproposal = c.proposal(of: 2, round: 1)
        #expect(reproposal?.blockHash == a.hash && reproposal?.validRound == 0)
        #expect(!c.requests[2].contains(.buildBlock(height: 1, round: 1)), "a valid value is not rebuilt")
        c.deliver(from: 2, to: [0, 1, 3], where: TestCluster.isProposal(round: 1))
        #expect(c.vote(of: 0, .prevote, round: 1) == nil, "line 28 waits for 2f+1 prevotes of round vr")
        c.deliver(from: 2, to: [0, 1, 3], where: TestCluster.isVote(.prevote, round: 0))
        for i in 0..<4 { #expect(c.vote(of: i, .prevote, round: 1)?.blockHash == a.hash) }
        c.deliverAll(where: TestCluster.isVote(.prevote, round: 1))
        c.deliverAll(where: TestCluster.isVote(.precommit, round: 1))
        for i in 0..<4 { #expect(c.commits[i].map(\.block.hash) == [a.hash]) }
    }

    @Test("round skip on f+1 higher-round messages (n=4, f=1)")
    func roundSkipOnOneThirdHigher() {
        let chain = TestChain(n: 4)
        var c = TestCluster(chain)
        c.startAll()
        c.apply(0, .message(.vote(chain.vote(1, .prevote, round: 3, nil))))
        c.apply(0, .message(.vote(chain.vote(1, .precommit, round: 3, nil))))
        #expect(c.machines[0].round == 0, "one validator (f) is not enough, however many messages it sends")
        c.apply(0, .message(.vote(chain.vote(2, .prevote, round: 5, nil))))
        #expect(c.machines[0].round == 3, "f+1 validators reached round 3 or higher")
        c.apply(0, .message(.vote(chain.vote(1, .prevote, round: 1_000, nil))))
        c.apply(0, .message(.vote(chain.vote(3, .prevote, round: 1_000, nil))))
        #expect(c.machines[0].round == 1_000, "far beyond the stored window, the skip still happens")
        #expect(c.machines[0].step == .propose)
    }

    @Test("proposer crash leads to a new round (n=4, f=1)")
    func proposerCrashLeadsToNewRound() throws {
        let chain = TestChain(n: 4)
        var c = TestCluster(chain)
        let crashed = chain.proposer(height: 1, round: 0)
        let alive = (0..<4).filter { $0 != crashed }
        for i in alive { c.apply(i, .startHeight(1, validators: chain.validators, restoring: nil)) }
        for i in alive { c.fire(i, .propose) }
        for i in alive { #expect(c.vote(of: i, .prevote, round: 0)?.blockHash == nil) }
        c.deliverAll(to: alive, where: TestCluster.isVote(.prevote, round: 0))
        for i in alive { #expect(c.vote(of: i, .precommit, round: 0)?.blockHash == nil, "line 44: 2f+1 prevotes for nil") }
        c.deliverAll(to: alive, where: TestCluster.isVote(.precommit, round: 0))
        for i in alive {
            c.fire(i, .precommit)
            #expect(c.machines[i].round == 1)
        }
        let next = chain.proposer(height: 1, round: 1)
        let block = chain.block(height: 1, tag: 1)
        c.answerBuild(next, block)
        c.deliver(from: next, to: alive, where: TestCluster.isProposal(round: 1))
        c.deliverAll(to: alive, where: TestCluster.isVote(.prevote, round: 1))
        c.deliverAll(to: alive, where: TestCluster.isVote(.precommit, round: 1))
        for i in alive {
            let committed = try #require(c.commits[i].first)
            #expect(committed.block == block && committed.certificate.round == 1)
        }
    }
}
