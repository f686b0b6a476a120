import QuorateCore
import QuorateCrypto
import QuorateRPC

/// `--workload erc20`: before the clock starts, the first bench account deploys `BenchToken`
/// and gives every other bench account tokens, so that each sender's pre-signed `transfer`
/// calls (to the next account of the ring) all succeed.
enum ERC20Setup {
    /// Gas limit of one pre-signed `transfer` call (a Vyper ERC-20 transfer between two holders
    /// uses about 35,000).
    static let transferGas: UInt64 = 60_000
    /// Tokens each bench account starts with: far more than any run moves (1 per transfer).
    static let grant = UInt256(UInt64(1_000_000_000_000))
    /// The deployer pools its grants; the node pools at most 4,096 transactions per sender.
    static let maxAccounts = 4_000
    static let commitTimeoutS = 300.0

    static func prepare(reader: ChainReader, accounts: [BenchAccount], chainId: UInt64, maxFee: UInt256) throws -> Address {
        guard accounts.count <= maxAccounts else {
            throw BenchError("--workload erc20 takes at most \(maxAccounts) --accounts (the deployer grants tokens to each from one account)")
        }
        let deployer = accounts[0]
        var nonce = try reader.nonces([deployer.address], tag: "pending")[0]
        let token = Address(Array(Keccak256.hash(RLP.encode(.list([RLPItem(deployer.address), RLPItem(nonce)]))).suffix(20)))
        var raws = [String]()
        let create = try UnsignedTransaction(type: .dynamicFee, chainId: chainId, nonce: nonce, maxFeePerGas: maxFee,
                                             gasLimit: 3_000_000, to: nil, data: BenchToken.initcode).signed(with: deployer.key)
        raws.append(Hex.encode(create.raw, prefix: true))
        nonce += 1
        for account in accounts.dropFirst() {
            let grant = try UnsignedTransaction(type: .dynamicFee, chainId: chainId, nonce: nonce, maxFeePerGas: maxFee,
                                                gasLimit: transferGas, to: token,
                                                data: BenchToken.transferCall(to: account.address, amount: grant)).signed(with: deployer.key)
            raws.append(Hex.encode(grant.raw, prefix: true))
            nonce += 1
        }
        note("erc20 workload: deploying the token at \(token) and granting tokens to \(accounts.count - 1) accounts")
        var hashes = [String]()
        for start in stride(from: 0, to: raws.count, by: 500) {
            let chunk = raws[start..<min(raws.count, start + 500)]
            hashes += try reader.batched(chunk.map { ("eth_sendRawTransaction", [.string($0)]) }).compactMap(\.stringValue)
        }
        guard hashes.count == raws.count else { throw BenchError("the node refused some of the token setup transactions") }
        try waitForSuccess(hashes, reader: reader)
        return token
    }

    private static func waitForSuccess(_ hashes: [String], reader: ChainReader) throws {
        let deadline = Clock.monotonicNs() + UInt64(commitTimeoutS * 1e9)
        var pending = hashes
        while !pending.isEmpty {
            var left = [String]()
            for start in stride(from: 0, to: pending.count, by: 500) {
                let chunk = Array(pending[start..<min(pending.count, start + 500)])
                for (hash, receipt) in zip(chunk, try reader.receipts(chunk)) {
                    guard let receipt else { left.append(hash); continue }
                    guard receipt["status"]?.stringValue == "0x1" else { throw BenchError("token setup transaction \(hash) failed: \(receipt)") }
                }
            }
            pending = left
            guard Clock.monotonicNs() < deadline else {
                throw BenchError("\(pending.count) token setup transactions were not committed within \(Int(commitTimeoutS)) s")
            }
            if !pending.isEmpty { Clock.sleep(seconds: 0.2) }
        }
    }
}

extension ERC20Setup {
    /// Accounts whose token balance is not what the run's transfers leave: every account starts
    /// with `grant` (the deployer with the rest of the supply), sends one token per transfer to
    /// the next account of the ring and receives one per transfer of the previous one. A failed
    /// call breaks the balance of its sender and its recipient. Read with eth_call balanceOf.
    static func wrongBalances(_ plan: TransferPlan, submitted: Int, startBalances: [UInt256], reader: ChainReader) throws -> Int {
        guard let token = plan.token else { return 0 }
        let n = plan.senders.count
        let now = try balances(token, plan.senders.map(\.address), reader: reader)
        var wrong = 0
        for s in 0..<n {
            let sent = UInt256(UInt64(plan.sentCount(sender: s, submitted: submitted)))
            let received = UInt256(UInt64(plan.sentCount(sender: (s + n - 1) % n, submitted: submitted)))
            if now[s] + sent != startBalances[s] + received { wrong += 1 }
        }
        return wrong
    }

    static func balances(_ token: Address, _ accounts: [Address], reader: ChainReader) throws -> [UInt256] {
        var out = [UInt256]()
        for start in stride(from: 0, to: accounts.count, by: 500) {
            let calls = accounts[start..<min(accounts.count, start + 500)].map { a -> (String, [JSON]) in
                let data = [0x70, 0xa0, 0x82, 0x31] + [UInt8](repeating: 0, count: 12) + a.bytes
                return ("eth_call", [["to": .string(token.hex), "data": .string(Hex.encode(data, prefix: true))], "latest"])
            }
            out += try reader.batched(calls).map { result in
                guard let text = result.stringValue, let bytes = try? Hex.decode(text), let v = UInt256(bigEndian: bytes) else {
                    throw BenchError("balanceOf returned \(result)")
                }
                return v
            }
        }
        return out
    }
}
