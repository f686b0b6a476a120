@_spi(Testing) @testable import QuorateConsensus
import QuorateCore
import QuorateCrypto
import Testing

/// Each kind of bad input is refused with its reason and leaves memory as it was.
@Suite struct BadInputTests {
    let chain = TestChain(n: 4)

    func started(_ i: Int = 0, limits: ConsensusLimits = ConsensusLimits()) -> ConsensusMachine {
        var config = chain.config(i)
        config.limits = limits
        var m = ConsensusMachine(config: config)
        _ = m.handle(.startHeight(1, validators: chain.validators, restoring: nil))
        return m
    }

    func storedVotes(_ m: ConsensusMachine) -> Int {
        m.log.rounds.values.reduce(0) { $0 + $1.prevotes.votes.count + $1.precommits.votes.count }
    }

    @Test("a vote from a non-validator is refused and not stored")
    func voteFromNonValidator() {
        var m = started()
        let outsider = TestChain(n: 1, seed: 9)
        let ready = m.handle(.message(.vote(outsider.vote(0, .prevote, round: 0, nil))))
        #expect(ready.refusal == .notAValidator(outsider.address(0)))
        #expect(storedVotes(m) == 0)
    }

    @Test("a vote signed for another chain id is refused")
    func voteForWrongChain() {
        var m = started()
        let ready = m.handle(.message(.vote(chain.vote(1, .prevote, round: 0, nil, chainId: TestChain.chainId + 1))))
        #expect(ready.refusal == .badSignature(chain.address(1)))
        #expect(storedVotes(m) == 0)
    }

    @Test("a vote whose fields were altered after signing is refused")
    func voteWithBadSignature() {
        var m = started()
        var vote = chain.vote(1, .prevote, round: 0, nil)
        vote.blockHash = Hash32.keccak([1])
        #expect(m.handle(.message(.vote(vote))).refusal == .badSignature(chain.address(1)))
        var forged = chain.vote(1, .prevote, round: 0, nil)
        forged.validator = chain.address(2)
        #expect(m.handle(.message(.vote(forged))).refusal == .badSignature(chain.address(2)), "a forged sender")
        #expect(storedVotes(m) == 0)
    }

    @Test("a duplicate vote is refused and counted once")
    func duplicateVote() {
        var m = started()
        let vote = chain.vote(1, .prevote, round: 0, nil)
        #expect(m.handle(.message(.vote(vote))).refusal == nil)
        #expect(m.handle(.message(.vote(vote))).refusal == .duplicate)
        #expect(m.log.round(0)?.prevotes.totalPower == 1)
    }

    @Test("a second conflicting vote is kept as evidence and not counted twice")
    func conflictingVoteBecomesEvidence() {
        var limits = ConsensusLimits()
        limits.evidenceKept = 2
        var m = started(limits: limits)
        let first = chain.vote(1, .prevote, round: 0, nil)
        let second = chain.vote(1, .prevote, round: 0, Hash32.keccak([2]))
        _ = m.handle(.message(.vote(first)))
        let ready = m.handle(.message(.vote(second)))
        #expect(ready.refusal == .conflictingVote(chain.address(1)))
        #expect(ready.evidence == [DoubleSignEvidence(first: first, second: second)])
        #expect(m.log.round(0)?.prevotes.totalPower == 1)
        #expect(m.log.round(0)?.prevotes.power(for: Hash32.keccak([2])) == 0)
        // A third vote for the same slot adds no second piece of evidence.
        _ = m.handle(.message(.vote(chain.vote(1, .prevote, round: 0, Hash32.keccak([3])))))
        #expect(m.status.evidence.count == 1)
        // Evidence is bounded per height.
        for r: UInt32 in 1...3 {
            _ = m.handle(.message(.vote(chain.vote(2, .precommit, round: r, nil))))
            _ = m.handle(.message(.vote(chain.vote(2, .precommit, round: r, Hash32.keccak([9])))))
        }
        #expect(m.status.evidence.count == 2)
    }

    @Test("a proposal from the wrong proposer is refused")
    func proposalFromWrongProposer() {
        var m = started()
        let right = chain.proposer(height: 1, round: 0)
        let wrong = (right + 1) % 4
        let ready = m.handle(.message(.proposal(chain.proposal(wrong, round: 0, chain.block(height: 1, tag: 1)))))
        #expect(ready.refusal == .wrongProposer(chain.address(wrong), expected: chain.address(right)))
        #expect(ready.requests.isEmpty, "nothing is validated")
        #expect(m.log.proposal(round: 0) == nil)
    }

    @Test("a second, different proposal from the right proposer is refused; the first stands")
    func conflictingProposal() {
        var m = started()
        let p = chain.proposer(height: 1, round: 0)
        let first = chain.proposal(p, round: 0, chain.block(height: 1, tag: 1))
        _ = m.handle(.message(.proposal(first)))
        let ready = m.handle(.message(.proposal(chain.proposal(p, round: 0, chain.block(height: 1, tag: 2)))))
        #expect(ready.refusal == .conflictingProposal(chain.address(p)))
        #expect(m.log.proposal(round: 0) == first)
    }

    @Test("a proposal whose block is for another height, or whose valid round is not below its round, is refused")
    func malformedProposals() {
        var m = started()
        let p = chain.proposer(height: 1, round: 0)
        let wrongHeight = m.handle(.message(.proposal(chain.proposal(p, round: 0, chain.block(height: 2, tag: 1)))))
        guard case .blockDoesNotMatch = wrongHeight.refusal else { Issue.record("got \(String(describing: wrongHeight.refusal))"); return }
        let badRound = m.handle(.message(.proposal(chain.proposal(p, round: 0, validRound: 0, chain.block(height: 1, tag: 1)))))
        #expect(badRound.refusal == .invalidValidRound(0, round: 0))
        #expect(m.log.proposal(round: 0) == nil)
    }

    @Test("messages for heights too far ahead are refused; the next height's buffer is bounded per validator")
    func heightsTooFarAhead() {
        var m = started()
        #expect(m.handle(.message(.vote(chain.vote(1, .prevote, height: 3, round: 0, nil)))).refusal
                == .heightTooFarAhead(3, current: 1, limit: 1))
        let limit = ConsensusLimits().bufferedMessagesPerValidator
        for r in 0..<UInt32(limit) {
            #expect(m.handle(.message(.vote(chain.vote(1, .prevote, height: 2, round: r, nil)))).refusal == nil)
        }
        let over = m.handle(.message(.vote(chain.vote(1, .prevote, height: 2, round: 99, nil))))
        #expect(over.refusal == .futureBufferFull(chain.address(1)))
        #expect(m.future.messages.count == limit)
        let forged = m.handle(.message(.vote(chain.vote(2, .prevote, height: 2, round: 0, nil, chainId: 99))))
        #expect(forged.refusal == .badSignature(chain.address(2)), "buffered messages are checked first")
        #expect(m.future.messages.count == limit)
    }

    @Test("next-height messages of a few signers outside the set are buffered, and count once the new set includes them")
    func outsidersBufferedForTheNextHeight() throws {
        var m = started()
        let outsiders = TestChain(n: 6, seed: 9)
        let limit = ConsensusLimits().outsideSignersBuffered
        for i in 0..<limit {
            #expect(m.handle(.message(.vote(outsiders.vote(i, .prevote, height: 2, round: 0, nil)))).refusal == nil)
        }
        #expect(m.handle(.message(.vote(outsiders.vote(limit, .prevote, height: 2, round: 0, nil)))).refusal
                == .notAValidator(outsiders.address(limit)))
        #expect(m.future.messages.count == limit)
        // Height 2's set adds outsider 0 (a validator voted in at height 1): its vote counts;
        // the other outsiders' are refused when the height starts.
        let next = try ValidatorSet(chain.validators.validators + [outsiders.validators.validators[0]])
        _ = m.handle(.startHeight(2, validators: next, restoring: nil))
        #expect(m.log.round(0)?.prevotes.existingVote(of: outsiders.address(0)) != nil)
        #expect(m.log.round(0)?.prevotes.existingVote(of: outsiders.address(1)) == nil)
    }

    @Test("votes for rounds too far ahead are refused and not stored, yet count toward a skip")
    func roundsTooFarAhead() {
        var m = started()
        let far = ConsensusLimits().roundsAheadStored + 1
        let ready = m.handle(.message(.vote(chain.vote(1, .prevote, round: far, nil))))
        #expect(ready.refusal == .roundTooFarAhead(far, current: 0, limit: ConsensusLimits().roundsAheadStored))
        #expect(m.log.round(far) == nil)
        #expect(m.log.highestRoundVotes.count == 1)
        for r in (far + 1)...(far + 50) { _ = m.handle(.message(.vote(chain.vote(1, .prevote, round: r, nil)))) }
        #expect(m.log.rounds.isEmpty && m.log.highestRoundVotes.count == 1, "one entry per validator, whatever the rounds")
    }

    @Test("the rounds kept at one height stay bounded however many rounds pass")
    func roundsKeptAreBounded() {
        var m = started()
        for r: UInt32 in 1...200 {
            // f+1 validators move to round r, and each stored round receives a vote.
            _ = m.handle(.message(.vote(chain.vote(1, .prevote, round: r, nil))))
            _ = m.handle(.message(.vote(chain.vote(2, .prevote, round: r, nil))))
            _ = m.handle(.message(.vote(chain.vote(3, .precommit, round: r, nil))))
        }
        #expect(m.round == 200)
        #expect(m.log.rounds.count <= m.log.maxRounds)
        let old = m.handle(.message(.vote(chain.vote(3, .prevote, round: 2, nil))))
        #expect(old.refusal == .roundPruned(2, oldestKept: m.log.oldestKeptRound))
        #expect(m.log.rounds.count <= m.log.maxRounds)
    }

    @Test("inputs before the first height are refused")
    func notStarted() {
        var m = ConsensusMachine(config: chain.config(0))
        #expect(m.handle(.message(.vote(chain.vote(1, .prevote, round: 0, nil)))).refusal == .notStarted)
    }

    @Test("answers nobody asked for are refused")
    func unexpectedAnswers() {
        var m = started()
        guard case .unexpectedAnswer = m.handle(.blockValidated(Hash32.keccak([1]), valid: true)).refusal else {
            Issue.record("validation answer for an unknown block was taken"); return
        }
        guard case .unexpectedAnswer = m.handle(.blockBuilt(chain.block(height: 1, tag: 1), height: 1, round: 0)).refusal else {
            Issue.record("a block built for a validator that is not the proposer was taken"); return
        }
    }
}
