import QuorateCore
import QuorateSim
import QuorateState

/// Checks on every block an honest whole node commits: the post-state root it computed is the
/// header's and every other honest node's at that height, each transaction is committed at one
/// height only, and value is conserved (balances of the watched accounts plus burned fees).
struct NodeChecker {
    var totalValue: UInt256 = .zero
    var watched: [Address] = []
    private var roots: [UInt64: Hash32] = [:]
    private var burned: [UInt64: UInt256] = [0: .zero]
    private var transactionHeights: [Hash32: UInt64] = [:]

    mutating func check(_ result: ExecutedBlock, node i: Int, balances: (Address) -> UInt256) -> (Violation.Kind, String)? {
        let header = result.block.header
        let h = header.height
        let root = result.stateUpdate.newRoot
        guard root == header.stateRoot else {
            return (.state, "node \(i) committed block \(h) whose header state root \(header.stateRoot) is not the executed \(root)")
        }
        if let other = roots[h], other != root {
            return (.state, "node \(i) has state root \(root) at height \(h), another honest node \(other)")
        }
        roots[h] = root
        for tx in result.block.transactions {
            if let earlier = transactionHeights[tx.hash], earlier != h {
                return (.transactions, "transaction \(tx.hash) committed at heights \(earlier) and \(h)")
            }
            transactionHeights[tx.hash] = h
        }
        let burnedHere = UInt256(header.gasUsed) * header.baseFeePerGas
        guard let before = burned[h - 1] else { return nil }  // a height reached by sync without its parent's record
        burned[h] = before + burnedHere
        let held = watched.reduce(UInt256.zero) { $0 + balances($1) }
        guard held + burned[h]! == totalValue else {
            return (.value, "node \(i) after block \(h): balances \(held) plus burned \(burned[h]!) is not the \(totalValue) created at genesis")
        }
        return nil
    }
}
