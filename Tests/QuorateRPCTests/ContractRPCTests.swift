import QuorateCore
import Synchronization
import Testing
@testable import QuorateRPC

/// A chain of blocks with made-up receipts and logs, and a call function the test chooses.
final class FakeContractChain: ContractBackend, @unchecked Sendable {
    let blocks: [Block]
    let receiptsByHeight: [[Receipt]]
    let callHandler: @Sendable (CallRequest) -> CallResult
    let pending = Mutex<[Hash32]>([])
    var callLimits = CallLimits()

    /// Block h (1...count) holds one receipt with one log from `address(h % 2)`, topic0 = topic(h % 3).
    init(count: Int, call: @escaping @Sendable (CallRequest) -> CallResult = { _ in CallResult(status: .success, output: [], gasUsed: 21_000) }) {
        var blocks = [Block](), receipts = [[Receipt]]()
        for h in 0...count {
            let logs = h == 0 ? [] : [Log(address: Self.address(h % 2), topics: [Self.topic(h % 3), Self.topic(10 + h)], data: [UInt8(h)])]
            let r = Receipt(transactionHash: Hash32.keccak([UInt8(h)]), type: .dynamicFee, status: 1, from: Self.address(9), to: nil,
                            gasUsed: 30_000, cumulativeGasUsed: 30_000, effectiveGasPrice: 0, logs: logs)
            let rs = h == 0 ? [] : [r]
            let header = BlockHeader(chainId: 1, height: UInt64(h), timestampMs: UInt64(h) * 1000, parentHash: .zero, proposer: .zero,
                                     transactionsRoot: .zero, receiptsRoot: .zero, stateRoot: .zero, validatorsHash: .zero,
                                     nextValidatorsHash: .zero, lastCommitHash: .zero, gasLimit: 30_000_000, gasUsed: 0,
                                     baseFeePerGas: 0, logsBloom: Receipt.bloom(rs))
            blocks.append(Block(header: header, transactions: [], lastCommit: nil))
            receipts.append(rs)
        }
        self.blocks = blocks
        self.receiptsByHeight = receipts
        self.callHandler = call
    }

    static func address(_ i: Int) -> Address { Address([UInt8](repeating: UInt8(0xa0 + i), count: 20)) }
    static func topic(_ i: Int) -> Hash32 { Hash32(UInt256(UInt64(i)).bigEndianBytes) }

    var chainId: UInt64 { 1 }
    var clientVersion: String { "fake" }
    func head() -> BlockHeader { blocks.last!.header }
    func block(at height: UInt64) throws -> Block? { height < blocks.count ? blocks[Int(height)] : nil }
    func height(ofBlock hash: Hash32) throws -> UInt64? { blocks.first { $0.hash == hash }?.height }
    func transactionLocation(_ hash: Hash32) throws -> (height: UInt64, index: Int)? { nil }
    func receipts(at height: UInt64) throws -> [Receipt] { height < blocks.count ? receiptsByHeight[Int(height)] : [] }
    func pendingTransaction(_ hash: Hash32) -> (Transaction, Address)? { nil }
    func account(_ address: Address, at height: UInt64?) throws -> AccountView { AccountView(nonce: 0, balance: UInt256(1_000_000)) }
    func pendingNonce(_ address: Address) throws -> UInt64 { 0 }
    /// What `eth_sendRawTransaction` refuses with, if anything.
    let submitError = Mutex<AdmissionError?>(nil)
    func submitRawTransaction(_ raw: [UInt8]) throws(AdmissionError) -> Hash32 {
        if let error = submitError.withLock({ $0 }) { throw error }
        return Hash32.keccak(raw)
    }
    func commitCertificate(at height: UInt64) throws -> CommitCertificate? { nil }
    func validators(at height: UInt64) throws -> ValidatorSet { throw SubmitError("none") }
    func accountProof(_ address: Address, at height: UInt64?) throws -> AccountProofView { throw SubmitError("none") }
    var peerCount: Int { 0 }
    func syncStatus() -> (startingBlock: UInt64, currentBlock: UInt64, highestBlock: UInt64)? { nil }
    var baseFeePerGas: UInt256 { 0 }
    var accountPermissioning: Bool { false }
    var blockGasLimit: UInt64 { 30_000_000 }
    func consensusView() -> ConsensusView? { nil }
    func code(_ address: Address, at height: UInt64?) throws -> [UInt8] { [0x60, 0x00] }
    func storage(_ address: Address, slot: UInt256, at height: UInt64?) throws -> UInt256 { slot + UInt256(1) }
    func call(_ request: CallRequest, at height: UInt64?, trace: TraceRequest?) throws -> CallResult { callHandler(request) }
    func traceTransaction(_ hash: Hash32, trace: TraceRequest) throws -> JSON { .null }
    func storageProofs(_ address: Address, slots: [UInt256], at height: UInt64?) throws -> [StorageProofView] { [] }
    func pendingTransactionHashes(limit: Int) -> [Hash32] { pending.withLock { $0 } }
}

/// A clock the filter tests move by hand.
final class ManualClock: Sendable {
    let ms = Mutex<UInt64>(0)
    func advance(_ by: UInt64) { ms.withLock { $0 += by } }
    var now: UInt64 { ms.withLock { $0 } }
}

@Suite("contract JSON-RPC: logs, filters, calls, estimates")
struct ContractRPCTests {
    static func dispatcher(_ chain: FakeContractChain, limits: FilterAPI.Limits = FilterAPI.Limits(),
                           clock: ManualClock = ManualClock()) -> RPCDispatcher {
        let d = RPCDispatcher()
        FilterAPI(backend: chain, limits: limits, nowMs: { clock.now }).register(on: d)
        EthCallAPI.register(on: d, backend: chain)
        return d
    }

    static func call(_ d: RPCDispatcher, _ method: String, _ params: [JSON]) -> Result<JSON, RPCError> {
        d.call(method, RPCParams(params))
    }

    static func hex(_ a: Address) -> JSON { .string(a.hex) }
    static func hex(_ h: Hash32) -> JSON { .string(h.hex) }

    @Test("eth_getLogs matches by address list, topic position with null wildcard and OR lists, and by block hash")
    func logFiltering() throws {
        let chain = FakeContractChain(count: 12)
        let d = Self.dispatcher(chain)
        func count(_ filter: JSON) throws -> Int { try Self.call(d, "eth_getLogs", [filter]).get().arrayValue!.count }
        #expect(try count(["fromBlock": "0x0", "toBlock": "latest"]) == 12)
        #expect(try count(["fromBlock": "0x0", "address": Self.hex(FakeContractChain.address(0))]) == 6)
        #expect(try count(["fromBlock": "0x0", "address": [Self.hex(FakeContractChain.address(0)), Self.hex(FakeContractChain.address(1))]]) == 12)
        #expect(try count(["fromBlock": "0x0", "topics": [Self.hex(FakeContractChain.topic(1))]]) == 4)
        #expect(try count(["fromBlock": "0x0", "topics": [[Self.hex(FakeContractChain.topic(1)), Self.hex(FakeContractChain.topic(2))]]]) == 8)
        #expect(try count(["fromBlock": "0x0", "topics": [.null, Self.hex(FakeContractChain.topic(15))]]) == 1)
        #expect(try count(["fromBlock": "0x0", "topics": [.null, .null, Self.hex(FakeContractChain.topic(1))]]) == 0)
        #expect(try count(["fromBlock": "0x3", "toBlock": "0x5"]) == 3)
        let logs = try Self.call(d, "eth_getLogs", [["blockHash": Self.hex(chain.blocks[7].hash)]]).get().arrayValue!
        #expect(logs.count == 1 && logs[0]["blockNumber"] == .quantity(7) && logs[0]["logIndex"] == .quantity(0))
        let both = Self.call(d, "eth_getLogs", [["blockHash": Self.hex(chain.blocks[7].hash), "fromBlock": "0x1"]])
        #expect(throws: RPCError.self) { try both.get() }
    }

    @Test("eth_getLogs refuses a block range over the limit (-32602) and a result over the cap (-32005)")
    func logLimits() throws {
        var limits = FilterAPI.Limits()
        limits.maxBlockRange = 5
        limits.maxResults = 3
        let d = Self.dispatcher(FakeContractChain(count: 12), limits: limits)
        guard case .failure(let range) = Self.call(d, "eth_getLogs", [["fromBlock": "0x1", "toBlock": "0x6"]]) else {
            Issue.record("a 6-block range passed"); return
        }
        #expect(range.code == -32602 && range.message == "block range too large: 6 blocks, the limit is 5")
        guard case .failure(let many) = Self.call(d, "eth_getLogs", [["fromBlock": "0x1", "toBlock": "0x5"]]) else {
            Issue.record("5 logs passed a cap of 3"); return
        }
        #expect(many.code == -32005 && many.message == "query returned more than 3 results")
        #expect(try Self.call(d, "eth_getLogs", [["fromBlock": "0x1", "toBlock": "0x3"]]).get().arrayValue!.count == 3)
    }

    @Test("filters: a new filter reports nothing old, expires after 5 minutes without a poll, and are capped in number")
    func filterLifecycle() throws {
        var limits = FilterAPI.Limits()
        limits.maxFilters = 2
        let clock = ManualClock()
        let chain = FakeContractChain(count: 4)
        let d = Self.dispatcher(chain, limits: limits, clock: clock)
        let logFilter = try Self.call(d, "eth_newFilter", [["fromBlock": "0x0"]]).get()
        #expect(try Self.call(d, "eth_getFilterChanges", [logFilter]).get() == [])
        #expect(try Self.call(d, "eth_getFilterLogs", [logFilter]).get().arrayValue!.count == 4)
        chain.pending.withLock { $0 = [Hash32.keccak([1])] }
        let pendingFilter = try Self.call(d, "eth_newPendingTransactionFilter", []).get()
        chain.pending.withLock { $0 = [Hash32.keccak([1]), Hash32.keccak([2])] }
        #expect(try Self.call(d, "eth_getFilterChanges", [pendingFilter]).get() == [Self.hex(Hash32.keccak([2]))])
        guard case .failure(let full) = Self.call(d, "eth_newBlockFilter", []) else { Issue.record("a third filter was installed"); return }
        #expect(full.message.hasPrefix("too many filters"))
        clock.advance(4 * 60 * 1000)
        _ = try Self.call(d, "eth_getFilterChanges", [logFilter]).get()  // renews the log filter only
        clock.advance(2 * 60 * 1000)
        #expect(throws: RPCError.self) { try Self.call(d, "eth_getFilterChanges", [pendingFilter]).get() }
        #expect(try Self.call(d, "eth_getFilterChanges", [logFilter]).get() == [])
        #expect(try Self.call(d, "eth_uninstallFilter", [logFilter]).get() == true)
        #expect(try Self.call(d, "eth_uninstallFilter", [logFilter]).get() == false)
    }

    @Test("eth_call: a revert is error 3 with geth's message and the revert bytes as data; a halt is -32000")
    func callErrors() throws {
        // Error("insufficient balance")
        let reason = Array("insufficient balance".utf8)
        let revert: [UInt8] = [0x08, 0xc3, 0x79, 0xa0] + UInt256(32).bigEndianBytes + UInt256(UInt64(reason.count)).bigEndianBytes
            + reason + [UInt8](repeating: 0, count: 32 - reason.count)
        let chain = FakeContractChain(count: 1) { r in
            r.data == [1] ? CallResult(status: .revert, output: revert, gasUsed: 30_000)
                : r.data == [2] ? CallResult(status: .failure("invalid opcode"), output: [], gasUsed: 30_000)
                : CallResult(status: .success, output: [7], gasUsed: 30_000)
        }
        let d = Self.dispatcher(chain)
        let to = Self.hex(FakeContractChain.address(0))
        #expect(try Self.call(d, "eth_call", [["to": to, "data": "0x00"]]).get() == .string("0x07"))
        guard case .failure(let e) = Self.call(d, "eth_call", [["to": to, "input": "0x01"], "latest"]) else { Issue.record("no revert"); return }
        #expect(e.code == 3 && e.message == "execution reverted: insufficient balance" && e.data == .data(revert))
        guard case .failure(let halt) = Self.call(d, "eth_call", [["to": to, "data": "0x02"]]) else { Issue.record("no halt"); return }
        #expect(halt.code == -32000 && halt.message == "invalid opcode")
        #expect(throws: RPCError.self) { try Self.call(d, "eth_call", [["to": to, "data": "0x01", "input": "0x02"]]).get() }
        #expect(RevertReason.decode([0x4e, 0x48, 0x7b, 0x71] + UInt256(0x11).bigEndianBytes) == "panic: 0x11")
    }

    @Test("eth_estimateGas finds the least gas that succeeds by binary search, and says when none within the allowance does")
    func estimate() throws {
        let chain = FakeContractChain(count: 1) { r in
            let gas = r.gas ?? 0
            let need: UInt64 = r.data == [9] ? 100_000_000 : 53_217
            return gas >= need ? CallResult(status: .success, output: [], gasUsed: 50_000)
                : CallResult(status: .failure("out of gas"), output: [], gasUsed: gas)
        }
        let d = Self.dispatcher(chain)
        let to = Self.hex(FakeContractChain.address(0))
        #expect(try Self.call(d, "eth_estimateGas", [["to": to, "data": "0x00"]]).get() == .quantity(53_217))
        guard case .failure(let e) = Self.call(d, "eth_estimateGas", [["to": to, "data": "0x09"]]) else { Issue.record("estimated"); return }
        #expect(e.message == "gas required exceeds allowance (30000000)")
        #expect(try Self.call(d, "eth_getStorageAt", [to, "0x4"]).get() == .data(UInt256(5).bigEndianBytes))
        #expect(try Self.call(d, "eth_getCode", [to]).get() == .string("0x6000"))
    }
}
