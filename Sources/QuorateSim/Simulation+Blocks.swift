import QuorateConsensus
import QuorateCore

/// Blocks without transactions: the point is consensus. What tells blocks apart is the state
/// root, a function of who built it (validator and copy) for which height and round.
extension Simulation {
    static let genesisParentHash = Hash32.keccak(Array("quorate-sim genesis".utf8))
    static let gasLimit: UInt64 = 1_000_000

    func buildBlock(for i: Int, height: UInt64, round: UInt32) -> Block {
        let node = nodes[i]
        let parent = node.chain.last
        var salt: [UInt8] = [UInt8(node.validator), UInt8(node.copy)]
        salt.appendBigEndian(height)
        salt.appendBigEndian(round)
        let header = BlockHeader(
            chainId: chainId, height: height, timestampMs: now, parentHash: node.chainHashes.last ?? Simulation.genesisParentHash,
            proposer: node.address, transactionsRoot: Block.transactionsRoot([]), receiptsRoot: .zero,
            stateRoot: Hash32.keccak(salt), validatorsHash: validatorsHash, nextValidatorsHash: validatorsHash,
            lastCommitHash: parent?.certificate.hash ?? .zero, gasLimit: Simulation.gasLimit, gasUsed: 0,
            baseFeePerGas: .zero)
        return Block(header: header, transactions: [], lastCommit: parent?.certificate)
    }

    /// The node's valid(v): a block on its own chain tip, within the gas limit, carrying a
    /// certificate for the parent that verifies.
    func isValid(_ block: Block, at i: Int) -> Bool {
        let node = nodes[i]
        let header = block.header
        guard header.chainId == chainId, header.height == node.nextHeight,
              header.parentHash == (node.chainHashes.last ?? Simulation.genesisParentHash),
              header.gasUsed <= header.gasLimit, header.validatorsHash == validatorsHash else { return false }
        guard let parent = node.chain.last else { return block.lastCommit == nil }
        guard let commit = block.lastCommit, commit.height == parent.block.height,
              commit.blockHash == node.chainHashes.last, header.lastCommitHash == commit.hash else { return false }
        return checker.certificateVerifies(commit)
    }
}
