import QuorateConsensus
import QuorateCore
import Testing

@Suite struct WireTests {
    let chain = TestChain(n: 4)

    @Test("votes and proposals survive the wire encoding")
    func roundTrip() throws {
        let block = chain.block(height: 1, tag: 1)
        let messages: [ConsensusMessage] = [
            .vote(chain.vote(0, .prevote, round: 0, nil)),
            .vote(chain.vote(1, .precommit, round: 7, block.hash)),
            .proposal(chain.proposal(1, round: 0, block)),
            .proposal(chain.proposal(2, round: 5, validRound: 3, block)),
        ]
        for m in messages {
            let decoded = try ConsensusMessage(decoding: m.encoded())
            #expect(decoded == m)
            if case .proposal(let p) = decoded { #expect(p.hasValidSignature(chainId: TestChain.chainId)) }
            if case .vote(let v) = decoded { #expect(v.hasValidSignature(chainId: TestChain.chainId)) }
        }
    }

    @Test("malformed messages are refused with a reason")
    func garbage() {
        #expect(throws: (any Error).self) { try ConsensusMessage(decoding: []) }
        #expect(throws: (any Error).self) { try ConsensusMessage(decoding: [0xc1, 0x09]) }
        let vote = ConsensusMessage.vote(chain.vote(0, .prevote, round: 0, nil)).encoded()
        #expect(throws: (any Error).self) { try ConsensusMessage(decoding: Array(vote.dropLast())) }
        #expect(throws: (any Error).self) { try ConsensusMessage(decoding: RLP.encode(.list([RLPItem(3)]))) }
        #expect(throws: (any Error).self) { try ConsensusMessage(decoding: RLP.encode(.list([RLPItem(2), RLPItem(1)]))) }
    }

    @Test("proposal sign bytes carry the domain tag, chain id, height, round, valid round and block hash")
    func proposalSignBytes() {
        let hash = Hash32.keccak([1])
        let bytes = Proposal.signBytes(chainId: 7, height: 2, round: 3, validRound: 1, blockHash: hash)
        #expect(bytes.starts(with: SignDomain.proposal))
        #expect(bytes.count == SignDomain.proposal.count + 8 + 8 + 4 + 1 + 4 + 32)
        #expect(bytes != Proposal.signBytes(chainId: 7, height: 2, round: 3, validRound: nil, blockHash: hash))
        #expect(bytes != Proposal.signBytes(chainId: 8, height: 2, round: 3, validRound: 1, blockHash: hash))
    }
}
