import QuorateCore
import QuorateEVM
import QuorateRPC
import QuorateState
import QuorateStorage

/// Contract reads, eth_call and traces (docs/contracts.md). Every call runs on its own overlay
/// over a committed state root: nothing it does reaches the store.
extension Node: ContractBackend {
    public var callLimits: CallLimits { config.callLimits }

    /// The header whose state a read at `height` uses; a height whose state is no longer held
    /// gets the same pruned answer as a balance read there (`checkStateKept`).
    private func header(at height: UInt64?) throws -> BlockHeader {
        guard let height, height != store.head.height else { return store.head }
        guard let header = try store.header(at: height) else { throw SubmitError("header not found") }
        try checkStateKept(at: height)
        return header
    }

    public func code(_ address: Address, at height: UInt64?) throws -> [UInt8] {
        let h = try header(at: height)
        guard let account = try store.account(address, stateRoot: h.stateRoot), account.hasCode else { return [] }
        guard let code = try store.contractCode(account.codeHash) else { throw StateError.missingNode(account.codeHash) }
        return code
    }

    public func storage(_ address: Address, slot: UInt256, at height: UInt64?) throws -> UInt256 {
        try store.storage(address, slot: slot, stateRoot: try header(at: height).stateRoot)
    }

    public func pendingTransactionHashes(limit: Int) -> [Hash32] {
        mempool.executable(limit: limit).map(\.transaction.hash)
    }

    /// The environment a call at `header` sees: that block's own number, time and proposer.
    private func environment(_ header: BlockHeader, gasLimit: UInt64) -> BlockEnvironment {
        BlockEnvironment(height: header.height, timestampMs: header.timestampMs, parentHash: header.parentHash,
                         gasLimit: gasLimit, blockHashes: { [store] h in store.blockHash(at: h) })
    }

    public func call(_ r: CallRequest, at height: UInt64?, trace: TraceRequest?) throws -> CallResult {
        let h = try header(at: height)
        var state = StateOverlay(base: store.accounts(at: h.stateRoot))
        let from = r.from ?? .zero
        let cap = callLimits.gasCap
        let gas = min(r.gas ?? cap, cap == 0 ? UInt64.max : cap)
        let price = r.gasPrice ?? r.maxFeePerGas ?? .zero
        var fees = rules.fees
        // A call without a price runs with no base fee, as geth's eth_call does.
        if price.isZero { fees.baseFeePerGas = .zero }
        let tx = EVMTransaction(type: r.maxFeePerGas != nil ? 2 : (r.accessList.isEmpty ? 0 : 1), sender: from, to: r.to,
                                nonce: try state.account(from).nonce, value: r.value, data: r.data, gasLimit: gas,
                                gasPrice: price, maxFeePerGas: r.maxFeePerGas ?? price,
                                maxPriorityFeePerGas: r.maxPriorityFeePerGas ?? r.maxFeePerGas ?? price,
                                accessList: r.accessList.map { e in (address: e.address, storageKeys: e.storageKeys.map { UInt256(bigEndian: $0.bytes)! }) })
        let env = environment(h, gasLimit: max(h.gasLimit, gas))
        let collector = trace.map(Self.collector)
        if let callTracer = collector as? CallTracer {
            callTracer.begin(tx: tx, to: r.to ?? ContractAddress.create(sender: from, nonce: tx.nonce))
        }
        let bounded = BoundedTracer(timeoutMs: callLimits.timeoutMs, inner: collector)
        let outcome: TransactionOutcome
        do {
            outcome = try BlockExecutor.execute(tx, block: env.context(proposer: h.proposer, fees: fees, chainId: rules.chainId),
                                                environment: env, tracer: bounded, state: &state)
        } catch let rejection as TransactionRejection {
            return CallResult(status: .invalid(rejection.description), output: [], gasUsed: 0)
        }
        if bounded.timedOut {
            return CallResult(status: .invalid("execution aborted (timeout = \(callLimits.timeoutMs / 1000)s)"), output: [], gasUsed: outcome.gasUsed)
        }
        let status: CallResult.Status
        switch outcome.status {
        case .success: status = .success
        case .revert: status = .revert
        case .failure(let why): status = .failure(why)  // the interpreter uses geth's words
        }
        return CallResult(status: status, output: outcome.output, gasUsed: outcome.gasUsed,
                          trace: collector?.result(tx: tx, outcome: outcome))
    }

    static func collector(_ request: TraceRequest) -> TraceCollector {
        switch request {
        case .structLogs(let maxSteps, _, _, let withStack): return StructLogger(maxSteps: maxSteps, withStack: withStack)
        case .callTracer(let onlyTop): return CallTracer(onlyTopCall: onlyTop)
        }
    }

    public func traceTransaction(_ hash: Hash32, trace: TraceRequest) throws -> JSON {
        guard let location = try store.transactionLocation(hash), let block = try store.block(at: location.height),
              let parent = try store.block(at: location.height - 1)?.header else {
            throw SubmitError("transaction \(hash) not found")
        }
        // The trace executes on the parent's state.
        try checkStateKept(at: location.height - 1)
        let receipts = try store.receipts(at: location.height)
        let h = block.header
        var state = StateOverlay(base: store.accounts(at: parent.stateRoot),
                                 validators: ValidatorContext(height: h.height, timestampMs: h.timestampMs,
                                                              current: try store.validators(at: h.height)))
        let env = BlockEnvironment(height: h.height, timestampMs: h.timestampMs, parentHash: h.parentHash,
                                   gasLimit: rules.fees.blockGasLimit, blockHashes: { [store] n in store.blockHash(at: n) })
        var gasUsed: UInt64 = 0
        for i in 0..<location.index {
            let r = try BlockExecutor.apply(block.transactions[i], sender: receipts[i].from, proposer: h.proposer, fees: rules.fees,
                                            chainId: rules.chainId, accountPermissioning: rules.accountPermissioning,
                                            cumulativeGasUsed: gasUsed, environment: env, state: &state)
            gasUsed = r.cumulativeGasUsed
        }
        let tx = block.transactions[location.index].evmTransaction(sender: receipts[location.index].from)
        let collector = Self.collector(trace)
        if let callTracer = collector as? CallTracer {
            callTracer.begin(tx: tx, to: tx.to ?? ContractAddress.create(sender: tx.sender, nonce: tx.nonce))
        }
        let outcome = try BlockExecutor.execute(tx, block: env.context(proposer: h.proposer, fees: rules.fees, chainId: rules.chainId),
                                                environment: env, tracer: collector, state: &state)
        return collector.result(tx: tx, outcome: outcome)
    }

    public func storageProofs(_ address: Address, slots: [UInt256], at height: UInt64?) throws -> [StorageProofView] {
        let h = try header(at: height)
        let account = try store.account(address, stateRoot: h.stateRoot) ?? .empty
        return try slots.map { slot in
            let proof = try SparseMerkleTree.proof(root: account.storageRoot, key: ContractStorage.treeKey(slot), reader: store)
            let value = try proof.value.map(ContractStorage.decode) ?? .zero
            return StorageProofView(slot: slot, value: value, proof: proof.encoded(), siblings: proof.siblings,
                                    storageRoot: account.storageRoot, codeHash: account.codeHash)
        }
    }
}
