@_spi(Testing) @testable import QuorateConsensus
import QuorateCore
import Testing

/// Persist before send, and what a restart may and may not do.
@Suite struct PersistenceTests {
    let chain = TestChain(n: 4)

    /// The hard state the caller would have on disk: the last one any Ready carried.
    func persisted(_ c: TestCluster, _ i: Int, after readies: [Ready]) -> HardState? {
        readies.compactMap(\.hardState).last
    }

    @Test("every Ready that sends a signed message carries the hard state that records it")
    func signedMessagesArePersistedFirst() {
        var c = TestCluster(chain)
        c.startAll()
        let proposer = chain.proposer(height: 1, round: 0)
        let block = chain.block(height: 1, tag: 1)
        let ready = c.apply(proposer, .blockBuilt(block, height: 1, round: 0))
        #expect(ready.hardState?.lastProposal?.blockHash == block.hash)
        #expect(ready.hardState?.lastPrevote?.blockHash == block.hash)
        #expect(ready.hardState?.step == .prevote)
        let timeout = c.fire((proposer + 1) % 4, .propose)
        #expect(timeout.hardState?.lastPrevote?.blockHash == nil && timeout.hardState?.lastPrevote != nil)
        #expect(timeout.messages.count == 1)
    }

    @Test("after a restart it re-sends what it signed and never signs a different vote for the same round")
    func restartResendsAndNeverSignsTwice() throws {
        var c = TestCluster(chain)
        c.startAll()
        let proposer = chain.proposer(height: 1, round: 0)
        let i = (proposer + 1) % 4
        let a = chain.block(height: 1, tag: 0xA)
        c.answerBuild(proposer, a)
        c.deliver(from: proposer, to: [i], where: TestCluster.isProposal(round: 0))
        let prevote = try #require(c.vote(of: i, .prevote, round: 0))
        #expect(prevote.blockHash == a.hash)
        let onDisk = try HardState(decoding: c.machines[i].hardState.encoded())

        var restarted = ConsensusMachine(config: chain.config(i))
        let resumed = restarted.handle(.startHeight(1, validators: chain.validators, restoring: onDisk))
        #expect(resumed.messages == [.broadcast(.vote(prevote))], "re-sends the very same signed prevote")
        #expect(resumed.hardState == nil, "nothing new to persist")
        #expect(restarted.step == .prevote)
        // The timeout of the propose step, still pending from before the crash, fires: no second prevote.
        let late = restarted.handle(.timeout(TimeoutRequest(kind: .propose, height: 1, round: 0, durationMs: 1)))
        #expect(late.messages.isEmpty)
        let again = restarted.handle(.message(.proposal(try #require(c.proposal(of: proposer, round: 0)))))
        #expect(again.messages.isEmpty)
    }

    @Test("a proposer restarted after proposing re-sends its proposal instead of building another")
    func restartedProposerResendsProposal() throws {
        var c = TestCluster(chain)
        c.startAll()
        let proposer = chain.proposer(height: 1, round: 0)
        c.answerBuild(proposer, chain.block(height: 1, tag: 1))
        var onDisk = c.machines[proposer].hardState
        let proposal = try #require(onDisk.lastProposal)
        onDisk.step = .propose  // as if it crashed between signing the proposal and its own prevote
        onDisk.lastPrevote = nil
        var restarted = ConsensusMachine(config: chain.config(proposer))
        let resumed = restarted.handle(.startHeight(1, validators: chain.validators, restoring: onDisk))
        #expect(resumed.requests.filter { if case .buildBlock = $0 { true } else { false } }.isEmpty)
        #expect(resumed.messages.first == .broadcast(.proposal(proposal)))
        #expect(restarted.hardState.lastPrevote?.blockHash == proposal.blockHash)
    }

    @Test("the hard state survives its encoding with a lock, a valid block and signed messages")
    func hardStateEncoding() throws {
        let a = chain.block(height: 1, tag: 0xA)
        let state = HardState(height: 1, round: 3, step: .precommit, lockedRound: 2, lockedBlockHash: a.hash,
                              validRound: 2, validBlock: a, lastProposal: chain.proposal(1, round: 0, a),
                              lastPrevote: chain.vote(0, .prevote, round: 3, nil),
                              lastPrecommit: chain.vote(0, .precommit, round: 3, a.hash))
        #expect(try HardState(decoding: state.encoded()) == state)
        #expect(try HardState(decoding: HardState(height: 9).encoded()) == HardState(height: 9))
        #expect(throws: HardStateError.self) { try HardState(decoding: [0xc0]) }
        var swapped = state
        swapped.lastPrecommit = state.lastPrevote
        #expect(throws: HardStateError.self) { try HardState(decoding: swapped.encoded()) }
        #expect(throws: (any Error).self) { try HardState(decoding: Array(state.encoded().dropLast())) }
    }

    @Test("a hard state ahead of the block store is refused")
    func hardStateAhead() {
        var m = ConsensusMachine(config: chain.config(0))
        let ready = m.handle(.startHeight(1, validators: chain.validators, restoring: HardState(height: 5)))
        #expect(ready.refusal == .hardStateAhead(5, height: 1))
        #expect(m.validators == nil)
    }

    @Test("a hard state of an earlier height is ignored")
    func hardStateOfEarlierHeight() {
        var m = ConsensusMachine(config: chain.config(0))
        let old = HardState(height: 1, round: 7, step: .precommit, lastPrevote: chain.vote(0, .prevote, round: 7, nil))
        _ = m.handle(.startHeight(2, validators: chain.validators, restoring: old))
        #expect(m.height == 2 && m.round == 0 && m.step == .propose)
    }
}

extension PersistenceTests {
    @Test("starting a height that is not ahead is refused")
    func heightsOnlyMoveForward() {
        var m = ConsensusMachine(config: chain.config(0))
        _ = m.handle(.startHeight(3, validators: chain.validators, restoring: nil))
        #expect(m.handle(.startHeight(3, validators: chain.validators, restoring: nil)).refusal == .heightNotAhead(3, current: 3))
        #expect(m.handle(.startHeight(2, validators: chain.validators, restoring: nil)).refusal == .heightNotAhead(2, current: 3))
        #expect(m.height == 3)
        _ = m.handle(.startHeight(5, validators: chain.validators, restoring: nil))
        #expect(m.height == 5, "block sync may move it several heights at once")
    }
}
