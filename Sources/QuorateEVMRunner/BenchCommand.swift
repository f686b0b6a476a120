import Glibc
import QuorateCore
import QuorateEVM

/// `quorate-evm bench`: each loop sized to the gas budget, run through the real
/// `TransactionProcessor` on a `MemoryHost`, reported as million gas per second and
/// nanoseconds per executed instruction, both per second of the thread's CPU time.
public struct BenchCommand {
    public let options: BenchOptions
    let out: (String) -> Void

    public init(_ options: BenchOptions, out: @escaping (String) -> Void) {
        self.options = options
        self.out = out
    }

    public struct Measurement: Sendable {
        public var loop: String
        public var iterations: UInt64
        public var gas: UInt64
        public var instructions: UInt64
        public var seconds: Double
        public var megagasPerSecond: Double { Double(gas) / seconds / 1e6 }
        public var nanosecondsPerInstruction: Double { seconds * 1e9 / Double(instructions) }
    }

    public func run() throws -> [Measurement] {
        let loops = try BenchLoop.load(directory: options.directory)
        out("loop            iterations          gas   cpu s    Mgas/s   ns/op")
        var results: [Measurement] = []
        for loop in loops {
            let m = try measure(loop)
            results.append(m)
            out(pad(m.loop, 14) + pad(String(m.iterations), 12, right: true) + pad(String(m.gas), 13, right: true)
                + pad(fixed(m.seconds, 3), 8, right: true) + pad(fixed(m.megagasPerSecond, 1), 10, right: true)
                + pad(fixed(m.nanosecondsPerInstruction, 1), 8, right: true))
        }
        return results
    }

    /// Calibrates gas and instructions per iteration from two short traced runs, then times
    /// one untraced run sized to the budget.
    func measure(_ loop: BenchLoop) throws -> Measurement {
        let small = try BenchRun(loop: loop, iterations: 64, counting: true).execute()
        let large = try BenchRun(loop: loop, iterations: 128, counting: true).execute()
        let gasPerIteration = (large.gas - small.gas) / 64
        let stepsPerIteration = (large.steps - small.steps) / 64
        let fixedGas = small.gas - 64 * gasPerIteration
        let fixedSteps = small.steps - 64 * stepsPerIteration
        guard gasPerIteration > 0, options.gasBudget > fixedGas + gasPerIteration else {
            throw UsageError("bench loop \(loop.name) does not fit a budget of \(options.gasBudget) gas")
        }
        let iterations = (options.gasBudget - fixedGas) / gasPerIteration
        // One untimed run first: page faults and caches should not count against the loop.
        _ = try BenchRun(loop: loop, iterations: max(1, iterations / 16), counting: false).execute()
        let timed = try BenchRun(loop: loop, iterations: iterations, counting: false).execute()
        return Measurement(loop: loop.name, iterations: iterations, gas: timed.gas,
                           instructions: fixedSteps + iterations * stepsPerIteration, seconds: timed.seconds)
    }

    private func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - s.count))
        return right ? fill + s : s + fill
    }

    private func fixed(_ v: Double, _ decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let n = Int((v * scale).rounded())
        let whole = n / Int(scale)
        let frac = String(n % Int(scale))
        return decimals == 0 ? String(whole) : "\(whole)." + String(repeating: "0", count: decimals - frac.count) + frac
    }
}

/// One execution of a bench loop as a transaction.
struct BenchRun {
    static let contract = try! Address(hex: "0x00000000000000000000000000000000000be0c4")
    static let sender = try! Address(hex: "0x000000000000000000000000000000000000c0de")

    let loop: BenchLoop
    let iterations: UInt64
    let counting: Bool

    struct Result {
        var gas: UInt64
        var steps: UInt64
        var seconds: Double
    }

    func execute() throws -> Result {
        let host = MemoryHost(accounts: [
            BenchRun.contract: MemoryHost.Account(code: loop.code),
            BenchRun.sender: MemoryHost.Account(balance: UInt256(1_000_000_000_000_000_000) * UInt256(1_000_000_000_000_000_000)),
        ])
        // The count in the first word, then 1 KiB for the copy loop to copy.
        var data = UInt256(iterations).bigEndianBytes
        data += (0..<1024).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }
        let gasLimit: UInt64 = 1 << 40
        let tx = EVMTransaction(type: 2, sender: BenchRun.sender, to: BenchRun.contract, nonce: 0, value: 0,
                                data: data, gasLimit: gasLimit, maxFeePerGas: 1, maxPriorityFeePerGas: 0)
        let block = BlockContext(coinbase: Address.zero, number: 1, timestamp: 1, gasLimit: gasLimit,
                                 baseFee: 1, prevRandao: Hash32.zero, chainId: 1)
        let counter = counting ? StepCounter() : nil
        let start = BenchRun.threadCPUSeconds()
        let applied = TransactionProcessor.apply(tx, host: host, block: block, tracer: counter)
        let seconds = BenchRun.threadCPUSeconds() - start
        let outcome: TransactionOutcome
        switch applied {
        case .failure(let invalid): throw UsageError("bench loop \(loop.name): transaction refused: \(invalid)")
        case .success(let o): outcome = o
        }
        guard outcome.status == .success else {
            throw UsageError("bench loop \(loop.name) did not finish: \(outcome.status)")
        }
        return Result(gas: outcome.gasUsed + outcome.gasRefunded, steps: counter?.steps ?? 0, seconds: seconds)
    }
}

extension BenchRun {
    /// CPU time of the calling thread: the machine is shared, and wall time would charge the
    /// loop for whatever else runs beside it.
    static func threadCPUSeconds() -> Double {
        var t = timespec()
        precondition(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) == 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed")
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}

/// Counts executed instructions during calibration (never during a timed run).
final class StepCounter: EVMTracer {
    var steps: UInt64 = 0
    func step(_ step: TraceStep) { steps += 1 }
    func transactionEnded(output: [UInt8], gasUsed: UInt64, error: String?) {}
}
