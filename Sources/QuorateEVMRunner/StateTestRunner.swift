import QuorateCore
import QuorateEVM

/// Runs the cases of state tests: fresh pre-state per case, the transaction applied by the
/// real `TransactionProcessor`, then the post-state root and logs hash compared.
public struct StateTestRunner {
    public var fork: String
    public var skipList: SkipList
    /// Chain id of the tests (ethereum/tests use mainnet's).
    public var chainId: UInt256 = 1

    public init(fork: String = "Cancun", skipList: SkipList = SkipList()) {
        self.fork = fork
        self.skipList = skipList
    }

    /// Every case of `test`, in the file's order. `file` is the name skip-list lines use.
    public func run(_ test: StateTest, file: String, tracer: (any EVMTracer)? = nil) -> [CaseResult] {
        let pre = StateTestRunner.preState(test)
        return test.cases.map { run(test, $0, pre: pre, file: file, tracer: tracer) }
    }

    /// The accounts every case of `test` starts from (each case gets its own copy).
    static func preState(_ test: StateTest) -> [Address: MemoryHost.Account] {
        Dictionary(uniqueKeysWithValues: test.pre.map { entry in
            (entry.address, MemoryHost.Account(balance: entry.account.balance, nonce: entry.account.nonce,
                                               code: entry.account.code, storage: entry.account.storage))
        })
    }

    func run(_ test: StateTest, _ c: TestPostCase, pre: [Address: MemoryHost.Account], file: String,
             tracer: (any EVMTracer)?) -> CaseResult {
        var result = CaseResult(name: test.name, fork: fork, dataIndex: c.dataIndex, gasIndex: c.gasIndex,
                                valueIndex: c.valueIndex, verdict: .fail, stateRoot: nil, error: nil)
        if test.transaction.blobVersionedHashes != nil {
            result.verdict = .skipped(reason: "blob transaction")
            return result
        }
        if let reason = skipList.reason(file: file, test: test.name, dataIndex: c.dataIndex) {
            result.verdict = .skipped(reason: reason)
            return result
        }
        let host = MemoryHost(accounts: pre)
        let tx: EVMTransaction
        do {
            tx = try TransactionBuilder.build(test.transaction, c)
        } catch {
            return judgeInvalid("\(error)", host: host, c, result)
        }
        switch TransactionProcessor.apply(tx, host: host, block: blockContext(test.environment), tracer: tracer) {
        case .failure(let invalid):
            return judgeInvalid(invalid.description, host: host, c, result)
        case .success(let outcome):
            touchCoinbase(host, test.environment.coinbase)
            let root = StateCommitment.stateRoot(of: host)
            result.stateRoot = root
            if let expected = c.expectException {
                result.error = "expected exception \(expected), but the transaction was applied"
                return result
            }
            let logs = StateCommitment.logsHash(outcome.logs)
            if root != c.stateRoot {
                result.error = "post state root mismatch: got \(root.hex), want \(c.stateRoot.hex)"
            } else if logs != c.logsHash {
                result.error = "logs hash mismatch: got \(logs.hex), want \(c.logsHash.hex)"
            } else {
                result.verdict = .pass
                if case .failure(let why) = outcome.status { result.error = why }
            }
            return result
        }
    }

    /// A refused transaction passes only when the test expected an exception and the state
    /// is left as it was (the expected root is then the pre-state's).
    func judgeInvalid(_ why: String, host: MemoryHost, _ c: TestPostCase, _ base: CaseResult) -> CaseResult {
        var result = base
        let root = StateCommitment.stateRoot(of: host)
        result.stateRoot = root
        result.error = why
        guard let expected = c.expectException else {
            result.error = "unexpected invalid transaction: \(why)"
            return result
        }
        if root == c.stateRoot {
            result.verdict = .pass
        } else {
            result.error = "\(why) (expected \(expected)), but post state root mismatch: got \(root.hex), want \(c.stateRoot.hex)"
        }
        return result
    }

    /// What geth's and the execution specs' state-test runners do after a valid transaction: a
    /// zero-value reward touches the coinbase, so an empty coinbase (EIP-161: no code, nonce 0,
    /// balance 0, whatever its storage) is removed.
    func touchCoinbase(_ host: MemoryHost, _ coinbase: Address) {
        if let account = host.account(coinbase), account.isEmpty {
            host.deleteAccount(coinbase)
        }
    }

    func blockContext(_ env: TestEnvironment) -> BlockContext {
        BlockContext(coinbase: env.coinbase, number: env.number, timestamp: env.timestamp, gasLimit: env.gasLimit,
                     baseFee: env.baseFee, prevRandao: env.prevRandao, chainId: chainId,
                     blobBaseFee: BlobFee.baseFee(excessBlobGas: env.excessBlobGas))
    }
}

/// EIP-4844's blob base fee, which BLOBBASEFEE reports: the tests derive it from the block's
/// excess blob gas (a Quorate chain, with no blobs, always uses the minimum, 1).
enum BlobFee {
    static let minBaseFee: UInt256 = 1
    static let updateFraction: UInt256 = 3_338_477

    static func baseFee(excessBlobGas: UInt64) -> UInt256 {
        fakeExponential(factor: minBaseFee, numerator: UInt256(excessBlobGas), denominator: updateFraction)
    }

    /// factor * e^(numerator / denominator), by the integer Taylor series EIP-4844 defines.
    static func fakeExponential(factor: UInt256, numerator: UInt256, denominator: UInt256) -> UInt256 {
        var output: UInt256 = 0
        var term = factor * denominator
        var i: UInt256 = 1
        while !term.isZero {
            let (sum, o1) = output.addingReportingOverflow(term)
            let (product, o2) = term.multipliedReportingOverflow(by: numerator)
            let (divisor, o3) = denominator.multipliedReportingOverflow(by: i)
            if o1 || o2 || o3 { return .max }
            output = sum
            term = product / divisor
            i += 1
        }
        return output / denominator
    }
}
