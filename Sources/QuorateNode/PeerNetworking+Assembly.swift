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
                // The sender and the proposer, which holds its proposal's transactions. With no
                // link to the proposer, every validator connected: the relay may lack what it
                // forwarded, and no second copy of the proposal comes (the seen-set). Not all of
                // them every time: each would answer with the same transactions.
                let connected = network.connectedPeers
                let proposerLinked = nodeKey(of: compact.proposer).map { connected.contains($0) } ?? false
                let others = proposerLinked ? [] : connected.filter { !peers.contains($0) && isCurrentValidator($0) }
                log("p2p: proposal \(compact.height)/\(compact.round) of \(compact.transactionHashes.count) transactions waits for \(hashes.count) not pooled here; asked \(peers.count + others.count) peer(s)")
                for peer in peers + others { network.requestPoolTransactions(hashes, from: peer) }
            }
        }
    }

    /// A proposal's transactions, for the peers that will ask for them (`proposalTransactions`).
    func keepTransactions(of proposal: Proposal) {
        proposalTransactions.withLock { $0.keep(proposal.block.transactions, height: proposal.height) }
    }

    /// What a compact proposal from a peer gets: assembled (and relayed), ignored (a height this
    /// node is past, or more than `compactProposalHeightsAhead` ahead: block sync's business), or
    /// refused as misbehaviour (not signed by a validator of its height).
    enum CompactProposalCheck: Equatable {
        case accept, ignore
        case refuse(String)
    }

    /// How far above the head a compact proposal is taken: the next height and the one after.
    static let compactProposalHeightsAhead: UInt64 = 2

    func check(_ compact: CompactProposal) -> CompactProposalCheck {
        let head = store.head.height
        guard compact.height > head, compact.height <= head + Self.compactProposalHeightsAhead else { return .ignore }
        guard (try? store.validators(at: compact.height))?.contains(compact.proposer) == true else {
            return .refuse("a compact proposal for height \(compact.height) from \(compact.proposer), not a validator of that height")
        }
        guard compact.hasValidSignature(chainId: config.chainId) else {
            return .refuse("a compact proposal for height \(compact.height) whose signature is not \(compact.proposer)'s")
        }
        return .accept
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

/// The transactions of the uncommitted heights' proposals, by hash, with the height that
/// proposed them, bounded by `maxTransactions` (four default-size blocks: a height rarely sees
/// more than a few proposals, and past the bound the newer are not kept, so a peer asks the
/// pools as before).
struct ProposalTransactions {
    static let maxTransactions = 40_000
    private var raws: [Hash32: (height: UInt64, raw: [UInt8])] = [:]

    mutating func keep(_ transactions: [Transaction], height: UInt64) {
        for tx in transactions where raws.count < Self.maxTransactions {
            raws[tx.hash] = (max(height, raws[tx.hash]?.height ?? 0), tx.raw)
        }
    }

    func raw(_ hash: Hash32) -> [UInt8]? { raws[hash]?.raw }

    /// Those of proposals at or below a committed height; a later height's stay.
    mutating func remove(through height: UInt64) { raws = raws.filter { $0.value.height > height } }
}
