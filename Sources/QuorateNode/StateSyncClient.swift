import Foundation
import QuorateCLI
import QuorateCore
import QuorateP2P
import QuorateState
import QuorateStorage

/// `start --state-sync` on a store at genesis: takes a peer's certified head, fetches the state
/// tree under its state root node by node (each checked against its hash), the account table's
/// addresses (checked against the tree), and installs it all as the new head in one batch. A
/// peer whose answer does not check is held off and the next one is tried.
final class StateSyncClient {
    struct Transport {
        var peers: () -> [(PeerID, UInt64)]
        var send: ([[UInt8]], PeerID) -> Void
        var holdOff: (PeerID, String) -> Void
    }

    static let answerTimeoutMs = 15_000
    static let peerWaitMs: UInt64 = 120_000
    static let retryMs: UInt64 = 1_000
    static let governanceKeys: Set<Hash32> = [OnChainNodeKeys.stateKey, PendingValidatorVotes.stateKey]

    let store: ChainStore
    let inbox: StateSyncInbox
    let transport: Transport
    let log: (String) -> Void
    var clockMs: () -> UInt64 = { Node.wallClockMs() }

    init(store: ChainStore, inbox: StateSyncInbox, transport: Transport, logger: Logger) {
        log = { logger.info("node", $0) }
        self.store = store
        self.inbox = inbox
        self.transport = transport
    }

    private struct Unanswered: Error {}

    /// Returns the height installed. Peers are asked highest first; one that cannot serve (or
    /// does not answer) is asked again after `retryMs`, one that lied never.
    func run() throws -> UInt64 {
        precondition(store.head.height == 0, "state sync runs on a store at genesis")
        var refused: [PeerID] = []
        var lastAskedMs: [PeerID: UInt64] = [:]
        let deadline = clockMs() + Self.peerWaitMs
        while true {
            let now = clockMs()
            // A peer's hello may carry an old height (it announces its head as it commits), so a
            // peer at 0 is asked too: an empty answer only means "not now".
            let candidates = transport.peers().filter { peer in
                !refused.contains(peer.0) && lastAskedMs[peer.0].map { now >= $0 + Self.retryMs } ?? true
            }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.compressed.lexicographicallyPrecedes($1.0.compressed) }
            guard let peer = candidates.first?.0 else {
                guard now < deadline else {
                    throw StoreError("state sync: no peer served a state that checks within \(Self.peerWaitMs / 1000) s (\(refused.count) refused); check --peer and the peers' logs, or start without --state-sync to replay from genesis")
                }
                usleep(100_000)
                continue
            }
            lastAskedMs[peer] = now
            do {
                return try sync(from: peer)
            } catch let refusal as StateSyncProtocol.Refusal {
                log("state sync: refused peer \(peer): \(refusal); holding it off")
                transport.holdOff(peer, "state sync: \(refusal)")
                refused.append(peer)
            } catch is Unanswered {
                continue
            } catch is StateSyncProtocol.Unavailable {
                log("state sync: peer \(peer) no longer holds the state it offered (pruned since); asking again")
                continue
            }
        }
    }

    private func ask(_ peer: PeerID, _ request: [[UInt8]]) throws -> [[UInt8]] {
        guard let answer = inbox.ask(peer, timeoutMs: Self.answerTimeoutMs, send: { transport.send(request, peer) }),
              !answer.isEmpty else { throw Unanswered() }
        return answer
    }

    private func sync(from peer: PeerID) throws -> UInt64 {
        let offer = try StateSyncProtocol.verifyOffer(try ask(peer, [[StateSyncProtocol.Kind.offer.rawValue]]), genesis: store.genesis)
        let height = offer.block.height
        log("state sync: peer \(peer) offers block \(height) (state root \(offer.block.header.stateRoot)), certified by its validators")
        let startMs = clockMs()
        let recentHeaders = try StateSyncProtocol.verifyHeaders(
            try ask(peer, StateSyncProtocol.headersRequest(below: height)), below: offer.block.header,
            genesisHash: store.genesisHash)
        var fetched = 0
        let leaves = try fetchTree(root: offer.block.header.stateRoot, from: peer, fetched: &fetched)
        let accounts = try fetchAccounts(from: peer, leaves: leaves)
        let codes = try fetchContracts(accounts, from: peer, fetched: &fetched)
        try store.installStateSnapshot(block: offer.block, certificate: offer.certificate, recentHeaders: recentHeaders,
                                       validatorChanges: offer.changes, accounts: accounts)
        log("state sync: installed block \(height) with \(fetched) state nodes, \(accounts.count) accounts and \(codes) contract codes in \(clockMs() - startMs) ms; block sync continues from there")
        return height
    }

    /// Every node of the tree under `root` (the account tree, or a contract's storage tree),
    /// each checked against the hash its parent names; returns the leaves by key.
    private func fetchTree(root: Hash32, from peer: PeerID, fetched: inout Int) throws -> [Hash32: [UInt8]] {
        var lastLogMs = clockMs()
        var pending = root == .zero || root == SparseMerkleTree.emptyRoot ? [] : [root]
        var leaves: [Hash32: [UInt8]] = [:]
        while !pending.isEmpty {
            var asked: [Hash32] = []
            var nodes: [(hash: Hash32, encoded: [UInt8], node: VerifiedStateNode)] = []
            while let hash = pending.last, asked.count < StateSyncProtocol.maxNodesPerRequest {
                pending.removeLast()
                // Held from an earlier, interrupted sync (checked then, and checked again here).
                if let held = try store.stateNode(hash), let node = try? SparseMerkleTree.verifyNode(held, hash: hash) {
                    nodes.append((hash, held, node))
                } else {
                    asked.append(hash)
                }
            }
            if !asked.isEmpty {
                let received = try StateSyncProtocol.verifyNodes(try ask(peer, StateSyncProtocol.nodesRequest(asked)), asked: asked)
                try store.putStateNodes(received.map { ($0.hash, $0.encoded) })
                nodes += received
            }
            for node in nodes {
                switch node.node {
                case .leaf(let key, let value): leaves[key] = value
                case .internal(let children): pending += children
                }
            }
            fetched += nodes.count
            if clockMs() >= lastLogMs + 2_000 {
                lastLogMs = clockMs()
                log("state sync: \(fetched) state nodes, \(leaves.count) values checked")
            }
        }
        return leaves
    }

    /// The storage trees and the code of the contracts among `accounts` (values from checked
    /// leaves, so their storage roots and code hashes are certified); returns the codes fetched.
    private func fetchContracts(_ accounts: [(Address, [UInt8])], from peer: PeerID, fetched: inout Int) throws -> Int {
        var codeHashes = Set<Hash32>()
        for (address, value) in accounts {
            let account: Account
            do { account = try Account(decoding: value) } catch {
                throw StateSyncProtocol.Refusal("the certified account \(address) does not decode: \(error)")
            }
            _ = try fetchTree(root: account.storageRoot, from: peer, fetched: &fetched)
            if account.hasCode, try store.contractCode(account.codeHash) == nil { codeHashes.insert(account.codeHash) }
        }
        // Sorted: the requests a node sends do not depend on hashing order.
        var missing = codeHashes.sorted()
        while !missing.isEmpty {
            let asked = Array(missing.prefix(StateSyncProtocol.maxCodesPerRequest))
            missing.removeFirst(asked.count)
            try store.putContractCode(try StateSyncProtocol.verifyCode(try ask(peer, StateSyncProtocol.codeRequest(asked)), asked: asked))
        }
        return codeHashes.count
    }

    /// The flat table: every account leaf's address, its value from the checked leaf.
    private func fetchAccounts(from peer: PeerID, leaves: [Hash32: [UInt8]]) throws -> [(Address, [UInt8])] {
        let accountLeaves = leaves.keys.filter { !Self.governanceKeys.contains($0) }.count
        var accounts: [(Address, [UInt8])] = []
        var unmatched = 0
        var start: Address? = Address([UInt8](repeating: 0, count: 20))
        while let from = start {
            let addresses = try StateSyncProtocol.verifyAddresses(try ask(peer, StateSyncProtocol.addressesRequest(from: from)), from: from)
            for address in addresses {
                if let value = leaves[Hash32.keccak(address.bytes)] { accounts.append((address, value)) } else { unmatched += 1 }
            }
            guard unmatched <= accountLeaves + StateSyncProtocol.maxAddressesPerAnswer else {
                throw StateSyncProtocol.Refusal("sent \(unmatched) addresses that are no account of the certified state: an endless answer")
            }
            start = addresses.count < StateSyncProtocol.maxAddressesPerAnswer ? nil : addresses.last.flatMap(Self.successor)
        }
        guard accounts.count == accountLeaves else {
            throw StateSyncProtocol.Refusal("named \(accounts.count) of the \(accountLeaves) accounts of the certified state: its account table is incomplete")
        }
        return accounts
    }

    static func successor(_ address: Address) -> Address? {
        var bytes = address.bytes
        for i in stride(from: 19, through: 0, by: -1) {
            if bytes[i] < 255 { bytes[i] += 1; return Address(bytes) }
            bytes[i] = 0
        }
        return nil
    }
}
