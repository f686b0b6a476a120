import Foundation
import QuorateCore
import QuorateCrypto
import QuorateRPC

/// On a chain the bench did not make: checks that the bench accounts can pay for the run, and
/// tops them up from the funded keystore accounts when they cannot.
struct AccountFunding {
    /// Longest wait for the funding transfers to commit.
    static let commitTimeoutS = 120.0
    /// Most funding transfers from one keystore account (the node pools 4,096 per sender).
    static let maxPerFunder = 4_000

    let reader: ChainReader
    let chainId: UInt64
    let maxFeePerGas: UInt256

    var costPerTransferWei: UInt256 { maxFeePerGas * UInt256(TransferPlan.gasLimit) }

    func ensureFunded(_ accounts: [BenchAccount], needWei: UInt256, funders: [BenchAccount]?, seed: String) throws {
        let balances = try reader.balances(accounts.map(\.address))
        let short = accounts.indices.filter { balances[$0] < needWei }
        guard !short.isEmpty else { return }
        guard let funders else {
            throw BenchError("chain without funded accounts: \(short.count) of the \(accounts.count) bench accounts (seed \"\(seed)\") hold less than the \(needWei) wei each needs for this run. Give --accounts-keystore DIR --password-file FILE with funded accounts of this chain (the bench tops its accounts up from them), or omit --rpc and let the bench start a node whose genesis funds them")
        }
        let topUps = short.map { (accounts[$0].address, needWei * UInt256(2) - balances[$0]) }
        try send(topUps, from: try spendable(funders, total: topUps.reduce(UInt256.zero) { $0 + $1.1 }))
    }

    /// The funders that hold anything, with what each can give after fees.
    private func spendable(_ funders: [BenchAccount], total: UInt256) throws -> [(BenchAccount, UInt256)] {
        let balances = try reader.balances(funders.map(\.address))
        let usable = zip(funders, balances).compactMap { f, b -> (BenchAccount, UInt256)? in
            let reserve = costPerTransferWei * UInt256(UInt64(AccountFunding.maxPerFunder))
            return b > reserve ? (f, b - reserve) : nil
        }
        let available = usable.reduce(UInt256.zero) { $0 + $1.1 }
        guard available >= total else {
            throw BenchError("chain without funded accounts: the \(funders.count) keystore accounts can give \(available) wei, the bench accounts need \(total) wei more; fund the keystore accounts or ask for fewer transfers (--transactions, --duration, --rate)")
        }
        return usable
    }

    private func send(_ topUps: [(Address, UInt256)], from funders: [(BenchAccount, UInt256)]) throws {
        guard topUps.count <= funders.count * AccountFunding.maxPerFunder else {
            throw BenchError("\(topUps.count) bench accounts to fund from \(funders.count) keystore accounts is over \(AccountFunding.maxPerFunder) each; use fewer --accounts")
        }
        note("funding \(topUps.count) bench accounts from \(funders.count) keystore accounts")
        var nonces = try reader.nonces(funders.map(\.0.address), tag: "pending")
        var left = funders.map(\.1)
        var raws = [String]()
        for (n, (to, amount)) in topUps.enumerated() {
            guard let f = (0..<funders.count).lazy.map({ ($0 + n) % funders.count }).first(where: { left[$0] >= amount }) else {
                throw BenchError("no keystore account holds the \(amount) wei one bench account needs")
            }
            let tx = try UnsignedTransaction(type: .dynamicFee, chainId: chainId, nonce: nonces[f], maxFeePerGas: maxFeePerGas,
                                             gasLimit: TransferPlan.gasLimit, to: to, value: amount).signed(with: funders[f].0.key)
            nonces[f] += 1
            left[f] = left[f] - amount
            raws.append(Hex.encode(tx.raw, prefix: true))
        }
        let hashes = try reader.batched(raws.map { ("eth_sendRawTransaction", [.string($0)]) }).compactMap(\.stringValue)
        try waitForReceipts(hashes)
    }

    private func waitForReceipts(_ hashes: [String]) throws {
        let deadline = Clock.monotonicNs() + UInt64(AccountFunding.commitTimeoutS * 1e9)
        var pending = hashes
        while !pending.isEmpty {
            let receipts = try reader.receipts(pending)
            if let failed = receipts.first(where: { $0 != nil && $0?["status"]?.stringValue != "0x1" }) {
                throw BenchError("a funding transfer failed: \(failed!)")
            }
            pending = zip(pending, receipts).filter { $0.1 == nil }.map(\.0)
            guard Clock.monotonicNs() < deadline else {
                throw BenchError("\(pending.count) funding transfers were not committed within \(Int(AccountFunding.commitTimeoutS)) s")
            }
            if !pending.isEmpty { Clock.sleep(seconds: 0.1) }
        }
    }
}
