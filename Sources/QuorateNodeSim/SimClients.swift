import QuorateCore
import QuorateCrypto
import QuorateNode
import QuorateSim
import QuorateState
import QuorateStorage

/// Seeded clients sending signed transfers. A transfer is acknowledged when a running node's
/// mempool admits it; the client then moves to its next nonce and keeps offering acknowledged
/// transfers to every node until one is committed (a wallet re-broadcasting). Now and then a
/// client also sends a second transfer for a nonce already acknowledged, at the same price: a
/// correct mempool refuses it.
struct SimClients {
    static let initialBalance = UInt256(1_000_000_000)
    let chainId: UInt64
    let keys: [Secp256k1.PrivateKey]
    let accounts: [Address]
    let recipients: [Address]
    private var random: SimRandom
    private var nextNonce: [UInt64]
    /// Acknowledged transfers, by (client, nonce): the first one admitted.
    private var acknowledged: [[Transaction]]

    init(chainId: UInt64, random: SimRandom) {
        self.chainId = chainId
        self.random = random
        var keys: [Secp256k1.PrivateKey] = []
        while keys.count < 3 {
            var bytes: [UInt8] = []
            for _ in 0..<4 { withUnsafeBytes(of: self.random.next()) { bytes += $0 } }
            if let key = try? Secp256k1.PrivateKey(bytes: bytes) { keys.append(key) }
        }
        self.keys = keys
        accounts = keys.map { Address($0.publicKey.ethereumAddress) }
        recipients = (1...3).map { Address([UInt8](repeating: 0xd0 + $0, count: 20)) }
        nextNonce = Array(repeating: 0, count: keys.count)
        acknowledged = Array(repeating: [], count: keys.count)
    }

    /// One client step: during the faulty period a new transfer (sometimes with a conflicting
    /// twin), and always the re-offer of acknowledged transfers. Returns a mempool problem.
    mutating func tick(submittingNew: Bool, to nodes: [SimulatedNode], trace: (Hash32) -> Void) -> String? {
        if submittingNew, !nodes.isEmpty {
            let c = random.below(keys.count)
            let tx = transfer(client: c, nonce: nextNonce[c], value: random.inRange(1...1_000))
            trace(tx.hash)
            if nodes.map({ $0.submit(tx) }).contains(true) {
                acknowledged[c].append(tx)
                nextNonce[c] += 1
            }
            if nextNonce[c] > 0, random.chance(permille: 150) {
                let nonce = nextNonce[c] - 1
                let conflicting = transfer(client: c, nonce: nonce, value: 1_001 + random.inRange(0...1_000))
                for node in nodes { _ = node.submit(conflicting) }
            }
        }
        for node in nodes {
            for queue in acknowledged { for tx in queue { _ = node.submit(tx) } }
            if let problem = Self.duplicateNonce(in: node.mempool) { return problem }
        }
        return nil
    }

    private func transfer(client c: Int, nonce: UInt64, value: UInt64) -> Transaction {
        let to = recipients[Int(value % UInt64(recipients.count))]
        return try! UnsignedTransaction(chainId: chainId, nonce: nonce, gasLimit: 21_000, to: to, value: UInt256(value))
            .signed(with: keys[c])
    }

    /// A mempool holds at most one transaction per (sender, nonce).
    static func duplicateNonce(in pool: Mempool) -> String? {
        var seen: [Address: Set<UInt64>] = [:]
        for hash in pool.hashesByArrival(limit: .max) {
            guard let entry = pool.entry(hash) else { continue }
            if seen[entry.sender, default: []].insert(entry.transaction.nonce).inserted == false {
                return "a mempool holds two transactions of \(entry.sender) with nonce \(entry.transaction.nonce)"
            }
        }
        return nil
    }

    /// Every acknowledged (client, nonce) is committed exactly once, and nothing else of the
    /// clients is: reads the chain of `store`.
    func checkCommittedOnce(store: ChainStore) -> String? {
        var committed: [Address: [UInt64: Int]] = [:]
        for height in stride(from: 1, through: store.head.height, by: 1) {
            guard let block = try? store.block(at: height) else { return "block \(height) is missing from the store" }
            for tx in block.transactions {
                guard let sender = try? tx.recoverSender() else { continue }
                committed[sender, default: [:]][tx.nonce, default: 0] += 1
            }
        }
        for (c, queue) in acknowledged.enumerated() {
            for tx in queue where committed[accounts[c]]?[tx.nonce] != 1 {
                return "client \(c)'s acknowledged transfer with nonce \(tx.nonce) was committed \(committed[accounts[c]]?[tx.nonce] ?? 0) times by height \(store.head.height)"
            }
            let extra = (committed[accounts[c]] ?? [:]).keys.filter { $0 >= UInt64(queue.count) }.sorted()
            if let nonce = extra.first { return "client \(c)'s nonce \(nonce) was committed but never acknowledged" }
        }
        return nil
    }
}
