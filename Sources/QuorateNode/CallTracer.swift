import QuorateCore
import QuorateEVM
import QuorateRPC

/// geth's callTracer, rebuilt from the interpreter's steps: a step one level deeper than the
/// CALL/CREATE before it opens a frame; the parent's next step closes it, and the word it
/// finds on top of the parent's stack is the call's success flag or the created address.
/// Nested frames carry type, from, to, value, gas and gasUsed; their input and output bytes
/// are not visible in steps (memory is not traced), so they are left out.
final class CallTracer: TraceCollector {
    final class Frame {
        var type: String
        var from: Address
        var to: Address?
        var value: UInt256?
        var gas: UInt64 = 0
        var lastGas: UInt64 = 0
        var lastCost: UInt64 = 0
        var failed = false
        var calls: [Frame] = []
        init(type: String, from: Address, to: Address?, value: UInt256?) {
            self.type = type
            self.from = from
            self.to = to
            self.value = value
        }
    }

    private let onlyTopCall: Bool
    private var stack: [Frame] = []
    private var root: Frame?
    /// The CALL/CREATE just executed at the current depth, if the last step was one.
    private var pendingCall: (frame: Frame, depth: Int)?
    private var lastDepth = 1
    private var addressAt: [Int: Address] = [:]
    /// Nested frames kept at most; beyond, the trace says `"truncated": true` (bounded output).
    static let maxFrames = 10_000
    private var frames = 0
    private var truncated = false

    init(onlyTopCall: Bool) { self.onlyTopCall = onlyTopCall }

    func begin(tx: EVMTransaction, to: Address) {
        let top = Frame(type: tx.to == nil ? "CREATE" : "CALL", from: tx.sender, to: to, value: tx.value)
        root = top
        stack = [top]
        addressAt[1] = to
    }

    func step(_ s: TraceStep) {
        guard let current = stack.last else { return }
        if s.depth > lastDepth, let pending = pendingCall {
            pending.frame.gas = s.gas
            stack.append(pending.frame)
            addressAt[s.depth] = pending.frame.to
        } else if s.depth < lastDepth {
            while stack.count > s.depth {
                let done = stack.removeLast()
                closed(done, result: s.stack.last)
            }
        } else if let pending = pendingCall {
            // A call that ran no code (an account without code, a precompile) or failed at once.
            pending.frame.failed = s.stack.last?.isZero ?? false
            if pending.frame.type.hasPrefix("CREATE") { pending.frame.to = s.stack.last.flatMap(Self.address) }
            attach(pending.frame)
        }
        pendingCall = nil
        if let frame = stack.last {
            frame.lastGas = s.gas
            frame.lastCost = s.gasCost
        }
        lastDepth = s.depth
        _ = current
        if let call = callFrame(s) { pendingCall = (call, s.depth) }
    }

    private func closed(_ frame: Frame, result: UInt256?) {
        if frame.type.hasPrefix("CREATE") {
            frame.to = result.flatMap(Self.address)
            if frame.to == nil { frame.failed = true }
        } else if result?.isZero ?? false {
            frame.failed = true
        }
        attach(frame)
    }

    private func attach(_ frame: Frame) {
        guard !onlyTopCall, let parent = stack.last, parent !== frame else { return }
        guard frames < Self.maxFrames else {
            truncated = true
            return
        }
        frames += 1
        parent.calls.append(frame)
    }

    private static func address(_ word: UInt256) -> Address? {
        word.isZero ? nil : Address(Array(word.bigEndianBytes.suffix(20)))
    }

    private func callFrame(_ s: TraceStep) -> Frame? {
        let st = s.stack
        let n = st.count
        let here = addressAt[s.depth] ?? .zero
        func word(_ i: Int) -> UInt256 { n > i ? st[n - 1 - i] : .zero }
        switch s.opcode {
        case 0xf1, 0xf2:
            return Frame(type: s.opcode == 0xf1 ? "CALL" : "CALLCODE", from: here, to: Self.address(word(1)) ?? .zero, value: word(2))
        case 0xf4: return Frame(type: "DELEGATECALL", from: here, to: Self.address(word(1)) ?? .zero, value: nil)
        case 0xfa: return Frame(type: "STATICCALL", from: here, to: Self.address(word(1)) ?? .zero, value: nil)
        case 0xf0: return Frame(type: "CREATE", from: here, to: nil, value: word(0))
        case 0xf5: return Frame(type: "CREATE2", from: here, to: nil, value: word(0))
        default: return nil
        }
    }

    func transactionEnded(output: [UInt8], gasUsed: UInt64, error: String?) {}

    func result(tx: EVMTransaction, outcome: TransactionOutcome) -> JSON {
        guard let root else { return .null }
        var top = render(root)
        guard case .object(var members) = top else { return top }
        members = members.filter { !["gas", "gasUsed", "input", "output", "error"].contains($0.key) }
        members.append(("gas", .quantity(tx.gasLimit)))
        members.append(("gasUsed", .quantity(outcome.gasUsed)))
        members.append(("input", .data(tx.data)))
        members.append(("output", .data(outcome.output)))
        if tx.to == nil, let created = outcome.contractAddress {
            members = members.filter { $0.key != "to" }
            members.append(("to", .data(created.bytes)))
        }
        switch outcome.status {
        case .success: break
        case .revert:
            members.append(("error", "execution reverted"))
            if let reason = RevertReason.decode(outcome.output) { members.append(("revertReason", .string(reason))) }
        case .failure(let why): members.append(("error", .string(why)))
        }
        if truncated { members.append(("truncated", true)) }
        top = .object(members)
        return top
    }

    private func render(_ f: Frame) -> JSON {
        var o: [(key: String, value: JSON)] = [("type", .string(f.type)), ("from", .data(f.from.bytes))]
        if let to = f.to { o.append(("to", .data(to.bytes))) }
        if let value = f.value { o.append(("value", .string(value.hexQuantity))) }
        o.append(("gas", .quantity(f.gas)))
        o.append(("gasUsed", .quantity(f.gas >= f.lastGas ? f.gas - f.lastGas + f.lastCost : 0)))
        if f.failed { o.append(("error", "execution reverted")) }
        if !f.calls.isEmpty { o.append(("calls", .array(f.calls.map(render)))) }
        return .object(o)
    }
}

/// Cancun's mnemonics, for the struct logger's `op`.
enum OpcodeName {
    static func of(_ op: UInt8) -> String { table[Int(op)] }

    static let table: [String] = {
        var t = (0..<256).map { "opcode 0x\(String($0, radix: 16)) not defined" }
        let names = "STOP ADD MUL SUB DIV SDIV MOD SMOD ADDMOD MULMOD EXP SIGNEXTEND".split(separator: " ")
        for (i, n) in names.enumerated() { t[i] = String(n) }
        let cmp = "LT GT SLT SGT EQ ISZERO AND OR XOR NOT BYTE SHL SHR SAR".split(separator: " ")
        for (i, n) in cmp.enumerated() { t[0x10 + i] = String(n) }
        t[0x20] = "KECCAK256"
        let env = ("ADDRESS BALANCE ORIGIN CALLER CALLVALUE CALLDATALOAD CALLDATASIZE CALLDATACOPY CODESIZE CODECOPY "
                   + "GASPRICE EXTCODESIZE EXTCODECOPY RETURNDATASIZE RETURNDATACOPY EXTCODEHASH BLOCKHASH COINBASE "
                   + "TIMESTAMP NUMBER PREVRANDAO GASLIMIT CHAINID SELFBALANCE BASEFEE BLOBHASH BLOBBASEFEE").split(separator: " ")
        for (i, n) in env.enumerated() { t[0x30 + i] = String(n) }
        let mem = "POP MLOAD MSTORE MSTORE8 SLOAD SSTORE JUMP JUMPI PC MSIZE GAS JUMPDEST TLOAD TSTORE MCOPY PUSH0".split(separator: " ")
        for (i, n) in mem.enumerated() { t[0x50 + i] = String(n) }
        for n in 1...32 { t[0x5f + n] = "PUSH\(n)" }
        for n in 1...16 { t[0x7f + n] = "DUP\(n)"; t[0x8f + n] = "SWAP\(n)" }
        for n in 0...4 { t[0xa0 + n] = "LOG\(n)" }
        for (op, n) in [(0xf0, "CREATE"), (0xf1, "CALL"), (0xf2, "CALLCODE"), (0xf3, "RETURN"), (0xf4, "DELEGATECALL"),
                        (0xf5, "CREATE2"), (0xfa, "STATICCALL"), (0xfd, "REVERT"), (0xfe, "INVALID"), (0xff, "SELFDESTRUCT")] {
            t[op] = n
        }
        return t
    }()
}
