import QuorateConsensus
import QuorateCore

/// Blocks without transactions: the point is consensus. What tells blocks apart is the state
/// root, a function of who built it (validator and copy) for which height and round.
final class EmptyBlocks: SimApplication {
    static let genesisParentHash = Hash32.keccak(Array("quorate-sim genesis".utf8))
    static let gasLimit: UInt64 = 1_000_000
    private unowned var sim: Simulation!

    func attach(to simulation: Simulation) { sim = simulation }
    func commit(_ committed: CommittedBlock, node: Int) -> Violation? { nil }
    var drivesBlockSync: Bool { false }
    func fetchBlocks(node: Int, from peer: Int, height: UInt64) {}
    func syncPeer(node: Int, peer: Int, height: UInt64) {}
    func receivedBlocks(_ blocks: [CommittedBlock], from peer: Int, node: Int) {}
    func peer(_ peer: Int, reportedHeight height: UInt64, node: Int) {}
    func willWriteHardState(node: Int, _ state: HardState) -> Bool { true }
    func wroteHardState(node: Int) {}
    func crashed(node: Int) -> Violation? { nil }
    func restarted(node: Int) -> UInt64 { UInt64(sim.nodes[node].chain.count) }
    func handleEvent(_ code: UInt64) {}
    func finish() -> Violation? { nil }

    func buildBlock(node i: Int, height: UInt64, round: UInt32) -> Block {
        let (node, now, chainId, validatorsHash) = (sim.nodes[i], sim.now, sim.chainId, sim.validatorsHash)
        let parent = node.chain.last
        var salt: [UInt8] = [UInt8(node.validator), UInt8(node.copy)]
        salt.appendBigEndian(height)
        salt.appendBigEndian(round)
        let header = BlockHeader(
            chainId: chainId, height: height, timestampMs: now, parentHash: node.chainHashes.last ?? EmptyBlocks.genesisParentHash,
            proposer: node.address, transactionsRoot: Block.transactionsRoot([]), receiptsRoot: .zero,
            stateRoot: Hash32.keccak(salt), validatorsHash: validatorsHash, nextValidatorsHash: validatorsHash,
            lastCommitHash: parent?.certificate.hash ?? .zero, gasLimit: EmptyBlocks.gasLimit, gasUsed: 0,
            baseFeePerGas: .zero)
        return Block(header: header, transactions: [], lastCommit: parent?.certificate)
    }

    /// The node's valid(v): a block on its own chain tip, within the gas limit, carrying a
    /// certificate for the parent that verifies.
    func isValid(_ block: Block, node i: Int) -> Bool {
        let (node, chainId, validatorsHash) = (sim.nodes[i], sim.chainId, sim.validatorsHash)
        let header = block.header
        guard header.chainId == chainId, header.height == node.nextHeight,
              header.parentHash == (node.chainHashes.last ?? EmptyBlocks.genesisParentHash),
              header.gasUsed <= header.gasLimit, header.validatorsHash == validatorsHash else { return false }
        guard let parent = node.chain.last else { return block.lastCommit == nil }
        guard let commit = block.lastCommit, commit.height == parent.block.height,
              commit.blockHash == node.chainHashes.last, header.lastCommitHash == commit.hash else { return false }
        return sim.checker.certificateVerifies(commit)
    }
}
