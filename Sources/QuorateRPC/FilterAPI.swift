import QuorateCore
import Synchronization

/// eth_getLogs and the polling filters (eth_newFilter, eth_newBlockFilter,
/// eth_newPendingTransactionFilter, eth_getFilterChanges, eth_getFilterLogs,
/// eth_uninstallFilter). Bounds in docs/json-rpc.md.
public final class FilterAPI: Sendable {
    public struct Limits: Sendable {
        /// Blocks one eth_getLogs (or one poll of a log filter) may scan.
        public var maxBlockRange: UInt64 = 10_000
        /// Logs one answer may hold.
        public var maxResults = 10_000
        /// Installed filters at once.
        public var maxFilters = 1_000
        /// A filter nobody polled for this long is removed (geth: 5 minutes).
        public var filterTimeoutMs: UInt64 = 5 * 60 * 1000
        public init() {}
    }

    enum Kind {
        case logs(LogQuery)
        case blocks
        case pending(seen: Set<Hash32>)
    }

    struct Filter {
        var kind: Kind
        /// The last height this filter has reported.
        var lastHeight: UInt64
        var lastPollMs: UInt64
    }

    let limits: Limits
    let backend: RPCBackend
    let nowMs: @Sendable () -> UInt64
    private let filters = Mutex<(next: UInt64, table: [UInt64: Filter])>((next: 1, table: [:]))

    public init(backend: RPCBackend, limits: Limits = Limits(), nowMs: @escaping @Sendable () -> UInt64 = FilterAPI.monotonicMs) {
        self.backend = backend
        self.limits = limits
        self.nowMs = nowMs
    }

    private static let origin = ContinuousClock.now

    public static func monotonicMs() -> UInt64 {
        let d = ContinuousClock.now - origin
        return UInt64(d.components.seconds) * 1000 + UInt64(d.components.attoseconds / 1_000_000_000_000_000)
    }

    public func register(on d: RPCDispatcher) {
        d.register("eth_getLogs") { [self] p in
            try p.expectCount(1)
            return .array(try logs(LogQuery(try p.object(at: 0))))
        }
        d.register("eth_newFilter") { [self] p in
            try p.expectCount(1)
            // As geth: changes are the logs of blocks committed after installation;
            // eth_getFilterLogs gives the whole range.
            let query = try LogQuery(try p.object(at: 0))
            _ = try range(query)
            return try install(Filter(kind: .logs(query), lastHeight: backend.head().height, lastPollMs: nowMs()))
        }
        d.register("eth_newBlockFilter") { [self] p in
            try p.expectCount(0)
            return try install(Filter(kind: .blocks, lastHeight: backend.head().height, lastPollMs: nowMs()))
        }
        d.register("eth_newPendingTransactionFilter") { [self] p in
            try p.expectCount(0...1)
            let seen = Set((backend as? ContractBackend)?.pendingTransactionHashes(limit: limits.maxResults) ?? [])
            return try install(Filter(kind: .pending(seen: seen), lastHeight: backend.head().height, lastPollMs: nowMs()))
        }
        d.register("eth_uninstallFilter") { [self] p in
            try p.expectCount(1)
            let id = try filterId(p)
            return .bool(filters.withLock { $0.table.removeValue(forKey: id) != nil })
        }
        d.register("eth_getFilterChanges") { [self] p in
            try p.expectCount(1)
            return .array(try changes(try filterId(p)))
        }
        d.register("eth_getFilterLogs") { [self] p in
            try p.expectCount(1)
            let id = try filterId(p)
            guard let filter = touch(id), case .logs(let query) = filter.kind else {
                throw RPCError.server("filter not found")
            }
            return .array(try logs(query))
        }
    }

    /// Heights a query covers, checked against the head and the range limit.
    func range(_ query: LogQuery) throws -> (from: UInt64, to: UInt64) {
        let head = backend.head().height
        if let hash = query.blockHash {
            guard let h = try backend.height(ofBlock: hash) else { throw RPCError.server("unknown block") }
            return (h, h)
        }
        let from = EthAPI.height(query.fromBlock, backend), to = min(EthAPI.height(query.toBlock, backend), head)
        if from > to && from <= head { throw RPCError.invalidParams("invalid block range params") }
        return (from, to)
    }

    func logs(_ query: LogQuery) throws -> [JSON] {
        let (from, to) = try range(query)
        try checkRange(from, to)
        return try LogReader.logs(query, from: from, to: to, backend: backend, limit: limits.maxResults)
    }

    private func checkRange(_ from: UInt64, _ to: UInt64) throws {
        if to >= from && to - from + 1 > limits.maxBlockRange {
            throw RPCError.invalidParams("block range too large: \(to - from + 1) blocks, the limit is \(limits.maxBlockRange)")
        }
    }

    private func filterId(_ p: RPCParams) throws(RPCError) -> UInt64 {
        let text = try p.string(at: 0)
        guard text.hasPrefix("0x"), let id = UInt64(text.dropFirst(2), radix: 16) else { throw RPCError.server("filter not found") }
        return id
    }

    private func install(_ filter: Filter) throws -> JSON {
        let now = nowMs()
        let installed = filter
        let id: UInt64? = filters.withLock { state in
            state.table = state.table.filter { now - min(now, $0.value.lastPollMs) < limits.filterTimeoutMs }
            guard state.table.count < limits.maxFilters else { return nil }
            let id = state.next
            state.next += 1
            state.table[id] = installed
            return id
        }
        guard let id else { throw RPCError.server("too many filters: at most \(limits.maxFilters) may be installed; uninstall some") }
        return .quantity(id)
    }

    /// The filter, its poll time renewed; nil when absent or expired.
    private func touch(_ id: UInt64) -> Filter? {
        let now = nowMs()
        return filters.withLock { state in
            guard var f = state.table[id] else { return nil }
            guard now - min(now, f.lastPollMs) < limits.filterTimeoutMs else {
                state.table[id] = nil
                return nil
            }
            f.lastPollMs = now
            state.table[id] = f
            return f
        }
    }

    private func changes(_ id: UInt64) throws -> [JSON] {
        guard var filter = touch(id) else { throw RPCError.server("filter not found") }
        let head = backend.head().height
        let first = filter.lastHeight + 1
        var out = [JSON]()
        switch filter.kind {
        case .blocks:
            guard first <= head else { return [] }
            let last = min(head, first + limits.maxBlockRange - 1)
            for h in first...last { if let b = try backend.block(at: h) { out.append(.data(b.hash.bytes)) } }
            filter.lastHeight = last
        case .logs(let query):
            guard first <= head else { return [] }
            var to = min(head, first + limits.maxBlockRange - 1)
            if query.blockHash == nil, case .number(let n) = query.toBlock { to = min(to, n) }
            if first <= to { out = try LogReader.logs(query, from: first, to: to, backend: backend, limit: limits.maxResults) }
            filter.lastHeight = max(to, first - 1)
        case .pending(let seen):
            let now = (backend as? ContractBackend)?.pendingTransactionHashes(limit: limits.maxResults) ?? []
            out = now.filter { !seen.contains($0) }.map { .data($0.bytes) }
            filter.kind = .pending(seen: Set(now))
        }
        let updated = filter
        filters.withLock { state in if state.table[id] != nil { state.table[id] = updated } }
        return out
    }
}
