import QuorateConsensus
import QuorateCore
import QuorateP2P
import QuorateRPC

/// Compact proposals in: rebuilt from the pool by `ProposalAssembly`, the missing transactions
/// asked of the peer that sent the proposal and of the proposer's node.
extension PeerNetworking {
    func assemble(_ compact: CompactProposal, from peer: PeerID, network: Network) {
        guard let host else { return }
        let actions = StageCPU.measure(.proposalValidation) {
            assembly.withLock { assembly -> [ProposalAssembly<PeerID>.Action] in
                // Not even looked up in the pool once its height is committed.
                guard compact.height > assembly.committedHeight else { return [] }
                return assembly.received(compact, pooled: host.pooledTransactions(compact.transactionHashes), from: peer,
                                         proposerNode: nodeKey(of: compact.proposer))
            }
        }
        for action in actions {
            switch action {
            case .deliver(let proposal):
                keepTransactions(of: proposal)
                host.consensusMessageArrived(.proposal(proposal))
            case let .request(hashes, peers):
                // One line per waiting proposal: a validator that often waits for transactions
                // shows a gossip gap (and round changes, if the wait outlasts the propose timeout).
                log("p2p: proposal \(compact.height)/\(compact.round) of \(compact.transactionHashes.count) transactions waits for \(hashes.count) not pooled here; asked \(peers.count) peer(s)")
                for peer in peers { network.requestPoolTransactions(hashes, from: peer) }
            }
        }
    }

    /// A proposal's transactions, for the peers that will ask for them (`proposalTransactions`).
    func keepTransactions(of proposal: Proposal) {
        proposalTransactions.withLock { $0.keep(proposal.block.transactions) }
    }

    /// Transactions from a peer, offered to the proposals waiting for them; those completed go to
    /// consensus. Nothing is hashed while no proposal waits.
    func offerToWaitingProposals(_ raws: [[UInt8]]) {
        guard let host, assembly.withLock({ $0.isWaiting }) else { return }
        let hashes = raws.map { Hash32.keccak($0) }
        let wanted = assembly.withLock { assembly in hashes.indices.filter { assembly.wants(hashes[$0]) } }
        guard !wanted.isEmpty else { return }
        // Those the pool admitted a moment ago are decoded there already.
        let pooled = host.pooledTransactions(wanted.map { hashes[$0] })
        var transactions: [Transaction] = []
        var undecodable: [Hash32] = []
        for (index, tx) in zip(wanted, pooled) {
            if let tx {
                transactions.append(tx)
            } else if let tx = try? Transaction.decode(raw: raws[index]) {
                transactions.append(tx)
            } else {
                undecodable.append(hashes[index])
            }
        }
        let completed = assembly.withLock { assembly in
            for hash in undecodable { assembly.dropWaiting(for: hash) }
            return assembly.offer(transactions)
        }
        for proposal in completed {
            keepTransactions(of: proposal)
            log("p2p: proposal \(proposal.height)/\(proposal.round) assembled with the transactions peers sent")
            host.consensusMessageArrived(.proposal(proposal))
        }
    }
}

/// The transactions of this height's proposals, by hash, bounded by `maxTransactions`
/// (four default-size blocks: a height rarely sees more than a few proposals, and past the
/// bound the newer are not kept, so a peer asks the pools as before).
struct ProposalTransactions {
    static let maxTransactions = 40_000
    private var raws: [Hash32: [UInt8]] = [:]

    var count: Int { raws.count }

    mutating func keep(_ transactions: [Transaction]) {
        for tx in transactions where raws.count < Self.maxTransactions { raws[tx.hash] = tx.raw }
    }

    func raw(_ hash: Hash32) -> [UInt8]? { raws[hash] }

    mutating func removeAll() { raws.removeAll(keepingCapacity: true) }
}
