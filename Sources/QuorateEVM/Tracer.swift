import QuorateCore

/// One executed instruction, as EIP-3155 traces report it (before the instruction runs).
public struct TraceStep: Sendable {
    public var pc: Int
    public var opcode: UInt8
    /// Gas left before the instruction.
    public var gas: UInt64
    /// What the instruction charged (static and dynamic parts).
    public var gasCost: UInt64
    /// Memory size in bytes before the instruction.
    public var memorySize: Int
    /// Bottom of the stack first, top last.
    public var stack: [UInt256]
    /// 1 for the transaction's own frame.
    public var depth: Int
    public var refund: Int64

    public init(pc: Int, opcode: UInt8, gas: UInt64, gasCost: UInt64, memorySize: Int,
                stack: [UInt256], depth: Int, refund: Int64) {
        self.pc = pc
        self.opcode = opcode
        self.gas = gas
        self.gasCost = gasCost
        self.memorySize = memorySize
        self.stack = stack
        self.depth = depth
        self.refund = refund
    }
}

/// Receives every step when tracing is on; the interpreter pays nothing for it when it is off.
public protocol EVMTracer: AnyObject {
    func step(_ step: TraceStep)
    /// The end of the transaction: its output, the gas it used and, if it failed, why.
    func transactionEnded(output: [UInt8], gasUsed: UInt64, error: String?)
    /// True asks the interpreter to stop: every frame then runs out of gas at its next step.
    /// The chain's eth_call uses it for its time bound (geth's `--rpc.evmtimeout`).
    var stopRequested: Bool { get }
}

extension EVMTracer {
    public var stopRequested: Bool { false }
}
