import QuorateCore
import QuorateRPC

/// One check of the quick mode, with what it found.
struct Check: Sendable {
    let name: String
    let passed: Bool
    let detail: String
}

/// After a complete run: every submitted transfer committed exactly once, and value conserved.
struct Verifier {
    let reader: ChainReader
    let result: LoadResult
    let accounts: [BenchAccount]
    let balancesBefore: [UInt256]

    var transfers: SignedTransfers { result.state.transfers }
    var submitted: Int { result.state.schedule.handedOut }

    func run() throws -> [Check] {
        let (receiptCheck, feesWei) = try receipts()
        return [exactlyOnce(), receiptCheck, blockCounts(), try nonces(), try balances(feesWei: feesWei)]
    }

    /// Each submitted hash appears in exactly one block position; nothing unsubmitted appears.
    func exactlyOnce() -> Check {
        let occurrences = result.watcher.occurrences
        let missing = (0..<submitted).filter { occurrences[$0] == 0 }.count
        let repeated = (0..<submitted).filter { occurrences[$0] > 1 }.count
        let unsent = (submitted..<transfers.count).filter { occurrences[$0] > 0 }.count
        return Check(name: "each submitted transfer is in exactly one block",
                     passed: missing == 0 && repeated == 0 && unsent == 0,
                     detail: "\(grouped(submitted)) submitted; \(missing) missing, \(repeated) more than once, \(unsent) never submitted yet committed")
    }

    /// One successful receipt per submitted hash; returns the fees they paid.
    func receipts() throws -> (Check, UInt256) {
        let hashes = (0..<submitted).map { transfers.keys[$0].hex }
        var missing = 0, failed = 0, wrong = 0
        var fees = UInt256.zero
        for (hash, receipt) in zip(hashes, try reader.receipts(hashes)) {
            guard let receipt else { missing += 1; continue }
            if receipt["status"]?.stringValue != "0x1" { failed += 1 }
            if receipt["transactionHash"]?.stringValue?.lowercased() != hash { wrong += 1 }
            let gas = receipt["gasUsed"]?.stringValue.flatMap { UInt256(hexQuantity: $0) } ?? .zero
            let price = receipt["effectiveGasPrice"]?.stringValue.flatMap { UInt256(hexQuantity: $0) } ?? .zero
            fees += gas * price
        }
        let check = Check(name: "each hash has one successful receipt", passed: missing + failed + wrong == 0,
                          detail: "\(grouped(hashes.count)) receipts asked; \(missing) missing, \(failed) not successful, \(wrong) for another hash")
        return (check, fees)
    }

    /// The transaction counts of the run's blocks add up to the submitted count.
    func blockCounts() -> Check {
        let blocks = result.watcher.blocks
        let total = blocks.reduce(0) { $0 + $1.transactionCount }
        let foreign = result.watcher.foreignTransactions
        return Check(name: "block transaction counts sum to the submitted count", passed: total - foreign == submitted,
                     detail: "\(blocks.count) blocks hold \(grouped(total)) transactions (\(grouped(foreign)) not the bench's); \(grouped(submitted)) submitted")
    }

    /// Each sender's nonce advanced by exactly the number of transfers it sent.
    func nonces() throws -> Check {
        let plan = transfers.plan
        let now = try reader.nonces(plan.senders.map(\.address))
        let off = plan.senders.indices.filter { s in
            now[s] != plan.startNonces[s] + UInt64(plan.sentCount(sender: s, submitted: submitted))
        }
        return Check(name: "sender nonces advanced exactly", passed: off.isEmpty,
                     detail: "\(plan.senders.count) senders; \(off.count) off" + (off.first.map { ", e.g. \(plan.senders[$0].address)" } ?? ""))
    }

    /// The bench accounts' total before equals the total after plus the fees paid.
    func balances(feesWei: UInt256) throws -> Check {
        let before = balancesBefore.reduce(UInt256.zero, +)
        let after = try reader.balances(accounts.map(\.address)).reduce(UInt256.zero, +)
        return Check(name: "totals balance (before = after + fees)", passed: before == after + feesWei,
                     detail: "before \(before) wei, after \(after) wei, fees \(feesWei) wei")
    }
}
