@_spi(Testing) @testable import QuorateConsensus
import QuorateCore
import Testing

/// Line 28 needs 2f+1 prevotes of the valid round; the network may have lost them long ago.
@Suite struct ProofOfLockTests {
    let chain = TestChain(n: 4)

    func started(_ i: Int) -> ConsensusMachine {
        var m = ConsensusMachine(config: chain.config(i))
        _ = m.handle(.startHeight(1, validators: chain.validators, restoring: nil))
        return m
    }

    /// Answers every validation request of `ready` with "valid".
    func validate(_ m: inout ConsensusMachine, _ ready: Ready) {
        for case .validateBlock(let b) in ready.requests { _ = m.handle(.blockValidated(b.hash, valid: true)) }
    }

    @Test("a re-proposal carries the prevotes of its valid round")
    func reproposalCarriesProofOfLock() {
        var c = TestCluster(chain)
        c.startAll()
        let a = chain.block(height: 1, tag: 0xA)
        c.answerBuild(1, a)
        c.deliverAll(where: TestCluster.isProposal(round: 0))
        c.deliverAll(to: [2], where: TestCluster.isVote(.prevote, round: 0))
        #expect(c.machines[2].validRound == 0)
        for i in 0..<4 { c.apply(i, .message(.vote(chain.vote(3, .precommit, round: 0, nil)))) }
        c.deliverAll(where: TestCluster.isVote(.precommit, round: 0))
        c.apply(2, .message(.vote(chain.vote(0, .precommit, round: 0, nil))))
        c.fire(2, .precommit)
        let sent = c.lastReady[2].messages
        guard case .broadcast(.proposal(let p))? = sent.first else { Issue.record("no proposal"); return }
        #expect(p.validRound == 0 && p.blockHash == a.hash)
        let proof = sent.dropFirst().compactMap { out -> Vote? in
            if case .broadcast(.vote(let v)) = out, v.round == 0, v.type == .prevote { v } else { nil }
        }
        #expect(proof.count >= 3 && proof.allSatisfy { $0.blockHash == a.hash })
    }

    @Test("a proof of lock counts an equivocator's prevote that conflicts with one seen before")
    func proofOfLockCountsEquivocator() {
        var m = started(0)
        let a = chain.block(height: 1, tag: 0xA)
        // Validator 3 equivocates in round 0: validator 0 first sees its prevote for nil.
        _ = m.handle(.message(.vote(chain.vote(3, .prevote, round: 0, nil))))
        _ = m.handle(.message(.vote(chain.vote(1, .prevote, round: 1, nil))))
        _ = m.handle(.message(.vote(chain.vote(2, .prevote, round: 1, nil))))
        #expect(m.round == 1)
        let proposer = chain.proposer(height: 1, round: 1)
        validate(&m, m.handle(.message(.proposal(chain.proposal(proposer, round: 1, validRound: 0, a)))))
        #expect(m.step == .propose)
        for i in [1, 2] { _ = m.handle(.message(.vote(chain.vote(i, .prevote, round: 0, a.hash)))) }
        #expect(m.step == .propose, "2 of the 3 prevotes needed")
        let conflicting = m.handle(.message(.vote(chain.vote(3, .prevote, round: 0, a.hash))))
        #expect(conflicting.refusal == .conflictingVote(chain.address(3)), "not counted in round 0's tally")
        #expect(conflicting.evidence.count == 1)
        #expect(m.log.round(0)?.prevotes.power(for: a.hash) == 2)
        #expect(m.step == .prevote, "but it completes the proof of lock")
        #expect(m.hardState.lastPrevote?.blockHash == a.hash)
    }

    @Test("a re-proposal whose valid round was pruned is accepted with its proof of lock")
    func proofOfLockOfPrunedRound() {
        var m = started(0)
        for r: UInt32 in 1...40 {
            _ = m.handle(.message(.vote(chain.vote(1, .prevote, round: r, nil))))
            _ = m.handle(.message(.vote(chain.vote(2, .prevote, round: r, nil))))
        }
        #expect(m.round == 40 && !m.log.accepts(round: 2))
        let a = chain.block(height: 1, tag: 0xA)
        let proposer = chain.proposer(height: 1, round: 40)
        validate(&m, m.handle(.message(.proposal(chain.proposal(proposer, round: 40, validRound: 2, a)))))
        for i in [1, 2, 3] { _ = m.handle(.message(.vote(chain.vote(i, .prevote, round: 2, a.hash)))) }
        #expect(m.hardState.lastPrevote?.round == 40 && m.hardState.lastPrevote?.blockHash == a.hash)
        #expect(!m.log.accepts(round: 2), "the pruned round stays pruned")
    }

    @Test("a prevote of a pruned round that proves nothing is refused")
    func prunedRoundOtherwiseRefused() {
        var m = started(0)
        for r: UInt32 in 1...40 {
            _ = m.handle(.message(.vote(chain.vote(1, .prevote, round: r, nil))))
            _ = m.handle(.message(.vote(chain.vote(2, .prevote, round: r, nil))))
        }
        let ready = m.handle(.message(.vote(chain.vote(3, .prevote, round: 2, Hash32.keccak([5])))))
        #expect(ready.refusal == .roundPruned(2, oldestKept: m.log.oldestKeptRound))
    }

    @Test("a validator that sees others at a later height asks for blocks, once per interval")
    func fetchesBlocksWhenBehind() throws {
        var m = started(0)
        let ahead = m.handle(.message(.vote(chain.vote(2, .prevote, height: 5, round: 0, nil))))
        #expect(ahead.requests == [.fetchBlocks(from: chain.address(2), height: 1)])
        #expect(m.handle(.message(.vote(chain.vote(3, .prevote, height: 6, round: 0, nil)))).requests.isEmpty)
        let next = m.handle(.message(.vote(chain.vote(3, .prevote, height: 2, round: 0, nil))))
        #expect(next.requests.isEmpty, "the next height right away is normal: someone just committed")
    }
}
