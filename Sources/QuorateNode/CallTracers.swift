import QuorateCore
import QuorateEVM
import QuorateRPC

/// Ends an eth_call that runs past its time bound (geth's `--rpc.evmtimeout`), and forwards the
/// steps to a trace collector when one was asked for.
final class BoundedTracer: EVMTracer {
    private let deadline: ContinuousClock.Instant
    private let inner: TraceCollector?
    private var steps = 0
    private(set) var timedOut = false

    init(timeoutMs: UInt64, inner: TraceCollector?) {
        deadline = ContinuousClock.now + .milliseconds(Int64(timeoutMs))
        self.inner = inner
    }

    func step(_ step: TraceStep) {
        steps += 1
        // Reading the clock every step would cost more than the step; every 4096th is enough.
        if steps & 4095 == 0 && ContinuousClock.now > deadline { timedOut = true }
        inner?.step(step)
    }

    func transactionEnded(output: [UInt8], gasUsed: UInt64, error: String?) {
        inner?.transactionEnded(output: output, gasUsed: gasUsed, error: error)
    }

    var stopRequested: Bool { timedOut }
}

/// Collects a trace and renders it as geth does.
protocol TraceCollector: EVMTracer {
    func result(tx: EVMTransaction, outcome: TransactionOutcome) -> JSON
}

/// geth's default struct logger: one entry per step, at most `maxSteps` (then `truncated`).
final class StructLogger: TraceCollector {
    private let maxSteps: Int
    private let withStack: Bool
    private var logs: [JSON] = []
    private var truncated = false

    init(maxSteps: Int, withStack: Bool) {
        self.maxSteps = maxSteps
        self.withStack = withStack
    }

    func step(_ s: TraceStep) {
        guard logs.count < maxSteps else {
            truncated = true
            return
        }
        var entry: [(key: String, value: JSON)] = [
            ("pc", .quantityNumber(UInt64(s.pc))), ("op", .string(OpcodeName.of(s.opcode))),
            ("gas", .quantityNumber(s.gas)), ("gasCost", .quantityNumber(s.gasCost)),
            ("depth", .quantityNumber(UInt64(s.depth))),
        ]
        if withStack { entry.append(("stack", .array(s.stack.map { .string($0.hexQuantity) }))) }
        if s.refund > 0 { entry.append(("refund", .quantityNumber(UInt64(s.refund)))) }
        logs.append(.object(entry))
    }

    func transactionEnded(output: [UInt8], gasUsed: UInt64, error: String?) {}

    func result(tx: EVMTransaction, outcome: TransactionOutcome) -> JSON {
        var out: [(key: String, value: JSON)] = [
            ("gas", .quantityNumber(outcome.gasUsed)), ("failed", .bool(outcome.status != .success)),
            ("returnValue", .string(HexString.of(outcome.output))), ("structLogs", .array(logs)),
        ]
        if truncated { out.append(("truncated", true)) }
        return .object(out)
    }
}

extension JSON {
    /// The struct logger writes plain JSON numbers, as geth does.
    static func quantityNumber(_ v: UInt64) -> JSON { .number(JSONNumber(v)) }
}

enum HexString {
    static func of(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        var s = "0x"
        s.reserveCapacity(2 + bytes.count * 2)
        for b in bytes {
            s.append(digits[Int(b >> 4)])
            s.append(digits[Int(b & 15)])
        }
        return s
    }
}
