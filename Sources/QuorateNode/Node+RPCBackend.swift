import QuorateConsensus
import QuorateCore
import QuorateRPC
import QuorateState
import QuorateStorage

/// The node as the JSON-RPC layer sees it.
extension Node: RPCBackend {
    public var chainId: UInt64 { rules.chainId }
    public var clientVersion: String { NodeCommands.clientVersion }
    public func head() -> BlockHeader { store.head }
    public func block(at height: UInt64) throws -> Block? { try store.block(at: height) }
    public func height(ofBlock hash: Hash32) throws -> UInt64? { try store.height(of: hash) }
    public func transactionLocation(_ hash: Hash32) throws -> (height: UInt64, index: Int)? {
        try store.transactionLocation(hash)
    }
    public func receipts(at height: UInt64) throws -> [Receipt] { try store.receipts(at: height) }
    public func pendingTransaction(_ hash: Hash32) -> (Transaction, Address)? {
        mempool.entry(hash).map { ($0.transaction, $0.sender) }
    }

    public func account(_ address: Address, at height: UInt64?) throws -> AccountView {
        let account: Account?
        if let height, height != store.head.height {
            try checkStateKept(at: height)
            guard let header = try store.block(at: height)?.header else {
                throw SubmitError("header not found")
            }
            account = try store.account(address, stateRoot: header.stateRoot)
        } else {
            account = try store.account(address)
        }
        return AccountView(nonce: account?.nonce ?? 0, balance: account?.balance ?? .zero, roles: account?.roles ?? 0)
    }

    public func pendingNonce(_ address: Address) throws -> UInt64 {
        mempool.pendingNonce(of: address, accountNonce: try store.account(address)?.nonce ?? 0)
    }

    public func submitRawTransaction(_ raw: [UInt8]) throws(AdmissionError) -> Hash32 { try submit(raw: raw) }

    public func commitCertificate(at height: UInt64) throws -> CommitCertificate? { try store.certificate(at: height) }
    public func validators(at height: UInt64) throws -> ValidatorSet { try store.validators(at: height) }

    public func accountProof(_ address: Address, at height: UInt64?) throws -> AccountProofView {
        let h = height ?? store.head.height
        try checkStateKept(at: h)
        guard let header = try store.block(at: h)?.header else { throw SubmitError("header not found") }
        let proof = try SparseMerkleTree.proof(root: header.stateRoot, key: Hash32.keccak(address.bytes), reader: store)
        let account = try proof.value.map { try Account(decoding: $0) }
        return AccountProofView(address: address, height: h, stateRoot: header.stateRoot,
                                account: account.map { AccountView(nonce: $0.nonce, balance: $0.balance) },
                                proof: proof.encoded(), siblings: proof.siblings)
    }

    /// geth's answer for state a pruning node no longer holds, with the oldest height it does.
    /// The root is named when the block is still held (block bodies may be pruned, or never
    /// fetched on a state-synced node).
    func checkStateKept(at height: UInt64) throws {
        if let oldest = try store.oldestState(), height < oldest {
            let named = (try? store.block(at: height)?.header.stateRoot).flatMap { $0 }.map { " \($0.hex)" } ?? ""
            throw SubmitError("missing trie node\(named) (state at block \(height) is not held: pruned or before a state sync; the oldest available state is at block \(oldest))")
        }
    }

    public var peerCount: Int { networking?.peerCount ?? 0 }

    public func consensusView() -> ConsensusView? {
        consensusStatus.map {
            ConsensusView(height: $0.height, round: $0.round, step: $0.step.description, proposer: $0.proposer,
                          lockedRound: $0.lockedRound, missingPrevotes: $0.missingPrevotes,
                          missingPrecommits: $0.missingPrecommits)
        }
    }
    public var baseFeePerGas: UInt256 { rules.fees.baseFeePerGas }
    public var blockGasLimit: UInt64 { rules.fees.blockGasLimit }
    public var accountPermissioning: Bool { rules.accountPermissioning }
}
