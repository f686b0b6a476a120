import QuorateConsensus
import QuorateCore
import QuorateNode

/// Proposals into a simulated validator the production way, as far as the simulator's network
/// lets: the block goes through its compact wire form (`CompactProposal`, encoded and decoded)
/// and node i rebuilds it from its own pool with `ProposalAssembly`, asking the node(s) that
/// built it for the transactions it lacks. The simulated network carries the full proposal
/// (its transport belongs to QuorateSim), so the asking is answered at once, from the builder's
/// pool when the builder runs and from the proposal its sender holds, not delayed, lost or
/// partitioned. A block node i cannot assemble
/// is invalid for it: the production node would wait for its propose timeout and prevote nil,
/// which the machine does at once here.
extension WholeNodeApplication {
    func assembled(_ block: Block, node i: Int) -> Block? {
        // Twins share an address: each may have built it, and each is asked.
        let builders = nodes.indices.filter { nodes[$0].address == block.header.proposer && $0 != i }
        let compact: CompactProposal
        do {
            // Signed with the builder's key only to fill the wire form; nothing checks it here
            // (the machine checked the real proposal's signature).
            let key = sim.signingKey(of: builders.first ?? i)
            let proposal = try Proposal.sign(chainId: sim.chain, height: block.height, round: 0, validRound: nil,
                                             block: block, key: key)
            compact = try CompactProposal(decoding: CompactProposal(proposal).encoded())
        } catch {
            // A block listing a transaction twice cannot travel compact.
            sim.log("node \(i): block \(block.height) (\(block.hash)) has no compact form: \(error)")
            return nil
        }
        let pool = nodes[i].mempool
        let actions = assemblies[i].received(compact, pooled: compact.transactionHashes.map { pool.entry($0)?.transaction },
                                             from: builders.first ?? i, proposerNode: builders.dropFirst().first)
        for action in actions {
            switch action {
            case .deliver(let proposal):
                return proposal.block
            case let .request(hashes, peers):
                // The builders' `getPoolTransactions` answers, from what their pools still hold,
                // and the proposal's sender's, which holds the block it proposed
                // (`PeerNetworking.proposalTransactions`): a locked block re-proposed after
                // restarts may be in no pool any more.
                let proposed = Dictionary(block.transactions.map { ($0.hash, $0) }, uniquingKeysWith: { first, _ in first })
                let answers = peers.filter { sim.isRunning($0) }.flatMap { peer in
                    hashes.compactMap { nodes[peer].mempool.entry($0)?.transaction }
                } + hashes.compactMap { proposed[$0] }
                if let proposal = assemblies[i].offer(answers).first {
                    sim.log("node \(i): block \(block.height) assembled with \(hashes.count) transactions from its builder's pool")
                    return proposal.block
                }
            }
        }
        sim.log("node \(i): block \(block.height) (\(block.hash)) cannot be assembled: \(assemblies[i].missingCount) transactions missing")
        return nil
    }
}
