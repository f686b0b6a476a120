import QuorateCore

/// Applies one transaction with Cancun's rules (ethereum/execution-specs `cancun/fork.py`):
/// every validity check runs before the first state write, so an invalid transaction leaves
/// the host untouched.
public enum TransactionProcessor {
    @inlinable
    public static func apply<H: EVMHost>(_ tx: EVMTransaction, host: H, block: BlockContext,
                                         tracer: EVMTracer? = nil) -> Result<TransactionOutcome, InvalidTransaction> {
        let price: UInt256
        switch validate(tx, host: host, block: block) {
        case .failure(let e): return .failure(e)
        case .success(let p): price = p
        }
        let intrinsic = intrinsicGas(tx)
        var evm = Interpreter(host: host, block: block,
                              tx: TxContext(origin: tx.sender, gasPrice: price, blobHashes: tx.blobVersionedHashes),
                              tracer: tracer)
        // Buy gas and bump the nonce outside any frame: a failed execution keeps both.
        host.setNonce(tx.sender, tx.nonce + 1)
        let gasCost = UInt256(tx.gasLimit) * price
        host.setBalance(tx.sender, host.balance(of: tx.sender) - gasCost)
        warmUp(&evm.sub, tx: tx, block: block)
        let outcome = evm.runTransaction(tx, gas: tx.gasLimit - intrinsic)

        let gasUsedBeforeRefund = tx.gasLimit - outcome.gasLeft
        let refund = Swift.min(gasUsedBeforeRefund / 5, UInt64(Swift.max(0, evm.sub.refund)))
        let gasUsed = gasUsedBeforeRefund - refund
        let unusedGasValue = UInt256(tx.gasLimit - gasUsed) * price
        host.setBalance(tx.sender, UInt256.wrappingAdd(host.balance(of: tx.sender), unusedGasValue))
        let coinbaseFee = UInt256(gasUsed) * (price - block.baseFee)
        if !coinbaseFee.isZero || host.accountExists(block.coinbase) {
            evm.ensureExists(block.coinbase)
            host.setBalance(block.coinbase, UInt256.wrappingAdd(host.balance(of: block.coinbase), coinbaseFee))
        }
        evm.sub.touched.insert(block.coinbase)
        for a in evm.sub.selfDestructs.sorted() { host.deleteAccount(a) }
        for a in evm.sub.touched.sorted() where host.accountExists(a) && evm.isEmpty(a) {
            host.deleteAccount(a)
        }

        let status: ExecutionStatus
        var error: String? = nil
        switch outcome.end {
        case .success: status = .success
        case .revert: status = .revert; error = "execution reverted"
        case .halt(let h): status = .failure(h.rawValue); error = h.rawValue
        }
        var contract: Address? = nil
        if tx.to == nil, case .success = outcome.end {
            contract = ContractAddress.create(sender: tx.sender, nonce: tx.nonce)
        }
        tracer?.transactionEnded(output: outcome.output, gasUsed: gasUsed, error: error)
        return .success(TransactionOutcome(status: status, gasUsed: gasUsed, gasRefunded: refund,
                                           output: outcome.output, logs: evm.sub.logs,
                                           contractAddress: contract))
    }

    /// EIP-2929/2930/3651: sender, recipient, precompiles, coinbase and the access list start warm.
    @inlinable static func warmUp(_ sub: inout Substate, tx: EVMTransaction, block: BlockContext) {
        sub.warmAccounts.insert(tx.sender)
        sub.warmAccounts.insert(block.coinbase)
        for p in Precompiles.addresses { sub.warmAccounts.insert(p) }
        // Cancun's 0x0a is warm on mainnet; without KZG it is an empty account here, but calls
        // to it must cost what mainnet charges (docs/evm.md).
        sub.warmAccounts.insert(Precompiles.pointEvaluationAddress)
        if let to = tx.to { sub.warmAccounts.insert(to) }
        for entry in tx.accessList {
            sub.warmAccounts.insert(entry.address)
            for key in entry.storageKeys { sub.warmSlots.insert(SlotKey(address: entry.address, key: key)) }
        }
    }

    /// 21000, +32000 and 2 per initcode word for a creation, 16/4 per non-zero/zero data byte,
    /// 2400 per access-list address and 1900 per key.
    @inlinable
    public static func intrinsicGas(_ tx: EVMTransaction) -> UInt64 {
        var gas = Gas.txBase
        for b in tx.data { gas += b == 0 ? Gas.txDataZero : Gas.txDataNonZero }
        if tx.to == nil {
            gas += Gas.txCreate + Gas.initCodeWord * Gas.words(UInt64(tx.data.count))
        }
        for entry in tx.accessList {
            gas += Gas.txAccessListAddress + Gas.txAccessListStorageKey * UInt64(entry.storageKeys.count)
        }
        return gas
    }

    /// The checks of `validate_transaction` and `check_transaction`; returns the effective gas price.
    @inlinable static func validate<H: EVMHost>(_ tx: EVMTransaction, host: H, block: BlockContext) -> Result<UInt256, InvalidTransaction> {
        if tx.type == 3 { return .failure(.blobTransactionsUnsupported) }
        let intrinsic = intrinsicGas(tx)
        if intrinsic > tx.gasLimit { return .failure(.intrinsicGasTooLow(needed: intrinsic, got: tx.gasLimit)) }
        if tx.nonce == .max { return .failure(.nonceMax) }
        if tx.to == nil && tx.data.count > Gas.maxInitCodeSize {
            return .failure(.initcodeTooLarge(size: tx.data.count, limit: Gas.maxInitCodeSize))
        }
        if tx.gasLimit > block.gasLimit {
            return .failure(.gasLimitAboveBlockLimit(gasLimit: tx.gasLimit, blockGasLimit: block.gasLimit))
        }
        let price: UInt256, maxPrice: UInt256
        if tx.type == 2 {
            if tx.maxPriorityFeePerGas > tx.maxFeePerGas { return .failure(.priorityFeeAboveFeeCap) }
            if tx.maxFeePerGas < block.baseFee {
                return .failure(.feeCapBelowBaseFee(maxFeePerGas: tx.maxFeePerGas, baseFee: block.baseFee))
            }
            price = block.baseFee + Swift.min(tx.maxPriorityFeePerGas, tx.maxFeePerGas - block.baseFee)
            maxPrice = tx.maxFeePerGas
        } else {
            if tx.gasPrice < block.baseFee {
                return .failure(.feeCapBelowBaseFee(maxFeePerGas: tx.gasPrice, baseFee: block.baseFee))
            }
            price = tx.gasPrice
            maxPrice = tx.gasPrice
        }
        let nonce = host.nonce(of: tx.sender)
        if nonce > tx.nonce { return .failure(.nonceTooLow(expected: nonce, got: tx.nonce)) }
        if nonce < tx.nonce { return .failure(.nonceTooHigh(expected: nonce, got: tx.nonce)) }
        let balance = host.balance(of: tx.sender)
        let (fee, o1) = UInt256(tx.gasLimit).multipliedReportingOverflow(by: maxPrice)
        let (needed, o2) = fee.addingReportingOverflow(tx.value)
        if o1 || o2 || balance < needed {
            return .failure(.insufficientFunds(needed: (o1 || o2) ? .max : needed, balance: balance))
        }
        if !host.code(at: tx.sender).isEmpty { return .failure(.senderHasCode) }
        return .success(price)
    }
}

extension Interpreter {
    /// The transaction's own frame: a call (value moved inside the frame, so a failure returns
    /// it) or a creation at keccak(rlp[sender, nonce])[12:].
    @inlinable mutating func runTransaction(_ t: EVMTransaction, gas: UInt64) -> TopOutcome {
        let frame: Frame
        if let to = t.to {
            transfer(from: t.sender, to: to, t.value)
            if Precompiles.contains(to) {
                switch Precompiles.run(to, input: t.data, gasLimit: gas) {
                case .success(let used, let output) where used <= gas:
                    return TopOutcome(end: .success, gasLeft: gas - used, output: output)
                case .success:
                    revert(to: 0)
                    return TopOutcome(end: .halt(.precompileFailed), gasLeft: 0, output: [])
                case .failure:
                    revert(to: 0)
                    return TopOutcome(end: .halt(.precompileFailed), gasLeft: 0, output: [])
                }
            }
            var f = newFrame(code: code(at: to), gas: gas, address: to, caller: t.sender, value: t.value,
                             input: t.data, isStatic: false, depth: 1, isCreate: false)
            f.checkpoint = 0
            frame = f
        } else {
            let address = ContractAddress.create(sender: t.sender, nonce: t.nonce)
            sub.warmAccounts.insert(address)
            if hasCollision(address) { return TopOutcome(end: .halt(.collision), gasLeft: 0, output: []) }
            frame = beginCreate(address, caller: t.sender, value: t.value, initcode: t.data, gas: gas, depth: 1)
        }
        enter(frame, parkCurrent: false)
        return run()
    }
}
