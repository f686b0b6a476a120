import QuorateCore
import QuorateCrypto

/// The Ethereum-compatible JSON-RPC methods (`eth_`, `net_`, `web3_`), answered from an
/// `RPCBackend`. Field names and formats follow geth, because that is what web3.py, ethers and
/// curl scripts are written against.
public enum EthAPI {
    public static func register(on dispatcher: RPCDispatcher, backend: RPCBackend) {
        registerInfo(on: dispatcher, backend: backend)
        registerAccounts(on: dispatcher, backend: backend)
        registerTransactions(on: dispatcher, backend: backend)
        registerBlocks(on: dispatcher, backend: backend)
        QuorateAPI.register(on: dispatcher, backend: backend)
        registerPrefetch(on: dispatcher, backend: backend)
        FilterAPI(backend: backend).register(on: dispatcher)
        if let contracts = backend as? ContractBackend {
            EthCallAPI.register(on: dispatcher, backend: contracts)
            ProofAPI.register(on: dispatcher, backend: contracts)
        }
    }

    /// With BFT finality every committed block is final: latest, safe and finalized are the head.
    static func height(_ tag: BlockTag, _ backend: RPCBackend) -> UInt64 {
        switch tag {
        case .latest, .safe, .finalized, .pending: return backend.head().height
        case .earliest: return 0
        case .number(let n): return n
        }
    }

    /// The height a state read refers to; nil for the head. Refuses blocks that do not exist yet.
    static func stateHeight(_ selector: BlockSelector, _ backend: RPCBackend) throws -> UInt64? {
        let head = backend.head().height
        switch selector {
        case .tag(.latest), .tag(.pending), .tag(.safe), .tag(.finalized): return nil
        case .tag(let tag):
            let h = height(tag, backend)
            guard h <= head else { throw RPCError.server("header not found") }
            return h == head ? nil : h
        case .hash(let hash, _):
            guard let h = try backend.height(ofBlock: hash) else { throw RPCError.server("header for hash not found") }
            return h == head ? nil : h
        }
    }

    private static func registerInfo(on d: RPCDispatcher, backend: RPCBackend) {
        d.register("web3_clientVersion") { p in
            try p.expectCount(0)
            return .string(backend.clientVersion)
        }
        d.register("web3_sha3") { p in
            try p.expectCount(1)
            return .data(Keccak256.hash(try p.bytes(at: 0)))
        }
        d.register("net_version") { p in
            try p.expectCount(0)
            return .string(String(backend.chainId))
        }
        d.register("net_listening") { p in
            try p.expectCount(0)
            return true
        }
        d.register("net_peerCount") { p in
            try p.expectCount(0)
            return .quantity(UInt64(backend.peerCount))
        }
        d.register("eth_chainId") { p in
            try p.expectCount(0)
            return .quantity(backend.chainId)
        }
        d.register("eth_blockNumber") { p in
            try p.expectCount(0)
            return .quantity(backend.head().height)
        }
        d.register("eth_syncing") { p in
            try p.expectCount(0)
            guard let s = backend.syncStatus() else { return false }
            return ["startingBlock": .quantity(s.startingBlock), "currentBlock": .quantity(s.currentBlock),
                    "highestBlock": .quantity(s.highestBlock)]
        }
        d.register("eth_gasPrice") { p in
            try p.expectCount(0)
            return .string((backend.baseFeePerGas + suggestedTip).hexQuantity)
        }
        d.register("eth_maxPriorityFeePerGas") { p in
            try p.expectCount(0)
            return .string(suggestedTip.hexQuantity)
        }
        d.register("eth_feeHistory") { p in try feeHistory(p, backend) }
        d.register("eth_accounts") { p in
            try p.expectCount(0)
            return []  // the node holds no user keys: clients sign locally
        }
        d.register("eth_mining") { p in
            try p.expectCount(0)
            return false
        }
        d.register("eth_hashrate") { p in
            try p.expectCount(0)
            return .quantity(0)
        }
    }

    /// Blocks are not auctioned: a consortium chain orders by arrival, so no tip is needed.
    static let suggestedTip = UInt256.zero

    /// Inclusive bound on `blockCount` of eth_feeHistory (geth caps it at 1024 too).
    public static let maxFeeHistoryBlocks: UInt64 = 1024
    public static let maxFeeHistoryPercentiles = 100

    private static func feeHistory(_ p: RPCParams, _ backend: RPCBackend) throws -> JSON {
        try p.expectCount(2...3)
        let requested: UInt64
        if let n = p[0].numberValue?.uint64Value { requested = n } else { requested = try p.quantityUInt64(at: 0) }
        let newest = min(height(try p.blockTag(at: 1), backend), backend.head().height)
        let percentiles = try p.ifPresent(2, p.array(at:)) ?? []
        guard percentiles.count <= maxFeeHistoryPercentiles else {
            throw RPCError.invalidParams("invalid argument 2: at most \(maxFeeHistoryPercentiles) reward percentiles")
        }
        let count = min(requested, maxFeeHistoryBlocks, newest + 1)
        let oldest = newest + 1 - count
        var baseFees = [JSON]()
        var ratios = [JSON]()
        var rewards = [JSON]()
        for h in oldest...max(oldest, newest) where count > 0 {
            guard let header = try backend.block(at: h)?.header else { break }
            baseFees.append(.string(header.baseFeePerGas.hexQuantity))
            ratios.append(.number(JSONNumber(header.gasLimit == 0 ? 0 : Double(header.gasUsed) / Double(header.gasLimit))))
            rewards.append(.array(percentiles.map { _ in .string(suggestedTip.hexQuantity) }))
        }
        baseFees.append(.string(backend.baseFeePerGas.hexQuantity))  // the next block's
        var out: [(key: String, value: JSON)] = [("oldestBlock", .quantity(oldest)), ("baseFeePerGas", .array(baseFees)),
                                                 ("gasUsedRatio", .array(ratios))]
        if !percentiles.isEmpty { out.append(("reward", .array(rewards))) }
        return .object(out)
    }

    private static func registerAccounts(on d: RPCDispatcher, backend: RPCBackend) {
        d.register("eth_getBalance") { p in
            try p.expectCount(1...2)
            let address = try p.address(at: 0)
            let account = try backend.account(address, at: try stateHeight(try p.blockSelector(at: 1), backend))
            return .string(account.balance.hexQuantity)
        }
        d.register("eth_getTransactionCount") { p in
            try p.expectCount(1...2)
            let address = try p.address(at: 0)
            let selector = try p.blockSelector(at: 1)
            if selector == .tag(.pending) { return .quantity(try backend.pendingNonce(address)) }
            return .quantity(try backend.account(address, at: try stateHeight(selector, backend)).nonce)
        }
    }

    private static func registerTransactions(on d: RPCDispatcher, backend: RPCBackend) {
        d.register("eth_sendRawTransaction") { p in
            try p.expectCount(1)
            let raw = try p.bytes(at: 0)
            do throws(AdmissionError) {
                return .data(try backend.submitRawTransaction(raw).bytes)
            } catch {
                throw RPCError.server(error.message)
            }
        }
        d.register("eth_getTransactionByHash") { p in
            try p.expectCount(1)
            let hash = try p.hash(at: 0)
            if let location = try backend.transactionLocation(hash),
               let block = try backend.block(at: location.height),
               location.index < block.transactions.count {
                let receipt = try backend.receipts(at: location.height)[safe: location.index]
                return RPCFormat.transaction(block.transactions[location.index], sender: receipt?.from,
                                             block: block, index: location.index, receipt: receipt)
            }
            if let (tx, sender) = backend.pendingTransaction(hash) {
                return RPCFormat.transaction(tx, sender: sender, block: nil, index: nil, receipt: nil)
            }
            return .null
        }
        d.register("eth_getTransactionReceipt") { p in
            try p.expectCount(1)
            let hash = try p.hash(at: 0)
            guard let location = try backend.transactionLocation(hash),
                  let block = try backend.block(at: location.height),
                  case let receipts = try backend.receipts(at: location.height),
                  let receipt = receipts[safe: location.index] else { return .null }
            let firstLogIndex = receipts[..<location.index].reduce(UInt64(0)) { $0 + UInt64($1.logs.count) }
            return RPCFormat.receipt(receipt, block: block, index: location.index, firstLogIndex: firstLogIndex)
        }
    }

    private static func registerBlocks(on d: RPCDispatcher, backend: RPCBackend) {
        d.register("eth_getBlockByNumber") { p in
            try p.expectCount(1...2)
            let tag = try p.blockTag(at: 0)
            let full = try p.ifPresent(1, p.bool(at:)) ?? false
            guard let block = try backend.block(at: height(tag, backend)) else { return .null }
            return try RPCFormat.block(block, full: full, receipts: full ? backend.receipts(at: block.height) : [])
        }
        d.register("eth_getBlockByHash") { p in
            try p.expectCount(1...2)
            let hash = try p.hash(at: 0)
            let full = try p.ifPresent(1, p.bool(at:)) ?? false
            guard let h = try backend.height(ofBlock: hash), let block = try backend.block(at: h) else { return .null }
            return try RPCFormat.block(block, full: full, receipts: full ? backend.receipts(at: h) : [])
        }
        d.register("eth_getBlockTransactionCountByNumber") { p in
            try p.expectCount(1)
            guard let block = try backend.block(at: height(try p.blockTag(at: 0), backend)) else { return .null }
            return .quantity(UInt64(block.transactions.count))
        }
        d.register("eth_getBlockTransactionCountByHash") { p in
            try p.expectCount(1)
            guard let h = try backend.height(ofBlock: try p.hash(at: 0)), let block = try backend.block(at: h) else {
                return .null
            }
            return .quantity(UInt64(block.transactions.count))
        }
        d.register("eth_getTransactionByBlockNumberAndIndex") { p in
            try p.expectCount(2)
            guard let block = try backend.block(at: height(try p.blockTag(at: 0), backend)) else { return .null }
            let index = Int(clamping: try p.quantityUInt64(at: 1))
            guard index < block.transactions.count else { return .null }
            let receipt = try backend.receipts(at: block.height)[safe: index]
            return RPCFormat.transaction(block.transactions[index], sender: receipt?.from, block: block, index: index,
                                         receipt: receipt)
        }
        d.register("eth_getTransactionByBlockHashAndIndex") { p in
            try p.expectCount(2)
            guard let h = try backend.height(ofBlock: try p.hash(at: 0)), let block = try backend.block(at: h) else { return .null }
            let index = Int(clamping: try p.quantityUInt64(at: 1))
            guard index < block.transactions.count else { return .null }
            let receipt = try backend.receipts(at: h)[safe: index]
            return RPCFormat.transaction(block.transactions[index], sender: receipt?.from, block: block, index: index,
                                         receipt: receipt)
        }
        d.register("eth_getUncleCountByBlockHash") { p in
            try p.expectCount(1)
            guard try backend.height(ofBlock: try p.hash(at: 0)) != nil else { return .null }
            return .quantity(0)
        }
        d.register("eth_getUncleCountByBlockNumber") { p in
            try p.expectCount(1)
            _ = try p.blockTag(at: 0)
            return .quantity(0)
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
