import QuorateCore
import QuorateCrypto

/// Transaction-wide facts the opcodes read.
@usableFromInline struct TxContext {
    @usableFromInline var origin: Address
    @usableFromInline var gasPrice: UInt256
    @usableFromInline var blobHashes: [Hash32]

    @inlinable init(origin: Address, gasPrice: UInt256, blobHashes: [Hash32]) {
        self.origin = origin
        self.gasPrice = gasPrice
        self.blobHashes = blobHashes
    }
}

/// The EVM for one transaction: the current frame, its waiting parents, the substate and
/// the journal. Generic over the host so host calls are direct (specialised) calls.
@usableFromInline struct Interpreter<H: EVMHost> {
    @usableFromInline let host: H
    @usableFromInline let block: BlockContext
    @usableFromInline let tx: TxContext
    @usableFromInline let tracer: EVMTracer?
    @usableFromInline let table: UnsafeMutablePointer<OpInfo>
    @usableFromInline let pool = FramePool()
    @usableFromInline var sub = Substate()
    @usableFromInline var f: Frame
    @usableFromInline var parents: [Frame] = []
    @usableFromInline var codeCache: [Hash32: AnalyzedCode] = [:]
    @usableFromInline var top: TopOutcome?
    @usableFromInline var pendingTrace: TraceStep?

    @inlinable init(host: H, block: BlockContext, tx: TxContext, tracer: EVMTracer?) {
        self.host = host
        self.block = block
        self.tx = tx
        self.tracer = tracer
        self.table = OpTable.pointer
        let empty = AnalyzedCode([])
        f = Frame(code: empty, codeBytes: empty.bytes, gas: 0, stack: pool.stack(depth: 1),
                  memory: pool.memory(depth: 1), address: .zero, caller: .zero, value: .zero,
                  input: [], isStatic: false, depth: 1, isCreate: false, checkpoint: 0)
    }

    @inlinable mutating func code(at address: Address) -> AnalyzedCode {
        let hash = host.codeHash(at: address)
        if let c = codeCache[hash] { return c }
        let c = AnalyzedCode(host.code(at: address))
        codeCache[hash] = c
        return c
    }

    /// Makes `frame` current, parking the running one (if any) as its parent.
    @inlinable mutating func enter(_ frame: Frame, parkCurrent: Bool) {
        if tracer != nil { flushTrace() }
        if parkCurrent { parents.append(f) } else { pool.release(f.memory, depth: f.depth) }
        f = frame
    }

    /// A new frame at `depth` with pooled stack and memory.
    @inlinable func newFrame(code: AnalyzedCode, gas: UInt64, address: Address, caller: Address, value: UInt256,
                  input: [UInt8], isStatic: Bool, depth: Int, isCreate: Bool) -> Frame {
        Frame(code: code, codeBytes: code.bytes, gas: gas, stack: pool.stack(depth: depth),
              memory: pool.memory(depth: depth), address: address, caller: caller, value: value,
              input: input, isStatic: isStatic, depth: depth, isCreate: isCreate,
              checkpoint: sub.journal.count)
    }

    /// Runs until the top frame ends.
    @inlinable mutating func run() -> TopOutcome {
        while top == nil {
            let op = f.codeBytes[f.pc]
            let info = table[Int(op)]
            // The one tracing branch per step: report the previous step (its cost is known
            // now) and record this one.
            if tracer != nil {
                flushTrace()
                beginTrace(op)
                if tracer!.stopRequested { f.gas = 0 }
            }
            let step: Step
            if !info.defined {
                step = .halt(.invalidOpcode)
            } else if f.sp < info.pops {
                step = .halt(.stackUnderflow)
            } else if f.sp + info.growth > Gas.stackLimit {
                step = .halt(.stackOverflow)
            } else if f.gas < info.gas {
                step = .halt(.outOfGas)
            } else {
                f.gas -= info.gas
                step = execute(op)
            }
            switch step {
            case .next:
                break
            case .halt(let h):
                endFrame(.halt(h), output: [])
            case .switched:
                break
            }
        }
        return top!
    }

    @inlinable @inline(__always) mutating func pop() -> UInt256 {
        f.sp -= 1
        return f.stack[f.sp]
    }

    @inlinable @inline(__always) mutating func push(_ v: UInt256) {
        f.stack[f.sp] = v
        f.sp += 1
    }

    /// Charges gas; false means the frame is out of gas.
    @inlinable @inline(__always) mutating func charge(_ cost: UInt64) -> Bool {
        if cost > f.gas { return false }
        f.gas -= cost
        return true
    }

    /// Charges for and performs memory expansion to cover `[offset, offset+size)`; returns the
    /// offset, or nil when out of gas (including offsets and sizes no gas could ever pay for).
    @inlinable @inline(__always) mutating func memory(_ offset: UInt256, _ size: UInt256) -> Int? {
        if size.isZero { return 0 }
        guard let o = offset.uint64, let s = size.uint64,
              o <= Gas.maxMemoryBytes, s <= Gas.maxMemoryBytes, o + s <= Gas.maxMemoryBytes else { return nil }
        guard expand(to: Int(o + s)) else { return nil }
        return Int(o)
    }

    @inlinable @inline(__always) mutating func expand(to end: Int) -> Bool {
        if end <= f.memory.size { return true }
        let newWords = Gas.words(UInt64(end)), oldWords = UInt64(f.memory.size / 32)
        guard charge(Gas.memoryCost(words: newWords) - Gas.memoryCost(words: oldWords)) else { return false }
        f.memory.grow(to: end)
        return true
    }

    /// A size operand that must be paid per word: nil when it cannot fit in memory anyway.
    @inlinable @inline(__always) func smallSize(_ size: UInt256) -> UInt64? {
        guard let s = size.uint64, s <= Gas.maxMemoryBytes else { return nil }
        return s
    }

    /// The opcode dispatch: the hottest opcodes inline, the rest in per-group handlers.
    @inlinable @inline(__always) mutating func execute(_ op: UInt8) -> Step {
        switch op {
        case 0x00:
            endFrame(.success, output: [])
            return .switched
        case 0x01: binary { .wrappingAdd($0, $1) }
        case 0x02: binary { .wrappingMul($0, $1) }
        case 0x03: binary { .wrappingSub($0, $1) }
        case 0x10: binary { $0 < $1 ? 1 : 0 }
        case 0x11: binary { $1 < $0 ? 1 : 0 }
        case 0x14: binary { $0 == $1 ? 1 : 0 }
        case 0x15: f.stack[f.sp - 1] = f.stack[f.sp - 1].isZero ? 1 : 0
        case 0x16: binary { .bitAnd($0, $1) }
        case 0x17: binary { .bitOr($0, $1) }
        case 0x18: binary { .bitXor($0, $1) }
        case 0x19: f.stack[f.sp - 1] = .bitNot(f.stack[f.sp - 1])
        case 0x1b: binary { .evmShl($0, $1) }
        case 0x1c: binary { .evmShr($0, $1) }
        case 0x50: f.sp -= 1
        case 0x51:
            guard let o = memory(f.stack[f.sp - 1], 32) else { return .halt(.outOfGas) }
            f.stack[f.sp - 1] = f.memory.load(o)
        case 0x52:
            let off = pop(), v = pop()
            guard let o = memory(off, 32) else { return .halt(.outOfGas) }
            f.memory.store(o, v)
        case 0x56:
            let dest = pop()
            guard f.code.isJumpdest(dest) else { return .halt(.badJump) }
            f.pc = Int(dest.l0)
            return .next
        case 0x57:
            let dest = pop(), cond = pop()
            if !cond.isZero {
                guard f.code.isJumpdest(dest) else { return .halt(.badJump) }
                f.pc = Int(dest.l0)
                return .next
            }
        case 0x5b: break
        case 0x5f: push(.zero)
        case 0x60...0x7f:
            pushImmediate(Int(op) - 0x5f)
            return .next
        case 0x80...0x8f:
            push(f.stack[f.sp - Int(op - 0x7f)])
        case 0x90...0x9f:
            let a = f.sp - 1, b = f.sp - 2 - Int(op - 0x90)
            let t = f.stack[a]
            f.stack[a] = f.stack[b]
            f.stack[b] = t
        default:
            return executeOther(op)
        }
        f.pc += 1
        return .next
    }

    @inlinable @inline(__always) mutating func binary(_ fn: (UInt256, UInt256) -> UInt256) {
        let a = f.stack[f.sp - 1], b = f.stack[f.sp - 2]
        f.sp -= 1
        f.stack[f.sp - 1] = fn(a, b)
    }

    /// PUSHn: the immediate read as big-endian 8-byte words ending at its last byte (the code
    /// buffer is padded on both sides), the bytes before the immediate masked off.
    @inlinable @inline(__always) mutating func pushImmediate(_ n: Int) {
        let end = UnsafeRawPointer(f.codeBytes + f.pc + 1 + n)
        @inline(__always) func limb(_ k: Int) -> UInt64 {
            let have = n - 8 * k
            if have <= 0 { return 0 }
            let v = UInt64(bigEndian: (end - 8 * k - 8).loadUnaligned(as: UInt64.self))
            return have >= 8 ? v : v & ((UInt64(1) << UInt64(8 * have)) &- 1)
        }
        push(UInt256(limbs: limb(0), limb(1), limb(2), limb(3)))
        f.pc += n + 1
    }
}
