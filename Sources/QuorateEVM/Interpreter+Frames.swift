import QuorateCore

extension Interpreter {
    /// Ends the current frame: deposits a creation's code, undoes a failed frame's changes,
    /// then hands the result to the parent (or records the transaction's outcome).
    @inlinable mutating func endFrame(_ end: FrameEnd, output: [UInt8]) {
        if tracer != nil { flushTrace() }
        var end = end
        var output = output
        if f.isCreate, case .success = end {
            end = depositCode(output)
        }
        switch end {
        case .success:
            break
        case .revert:
            revert(to: f.checkpoint)
        case .halt:
            revert(to: f.checkpoint)
            f.gas = 0
            output = []
        }
        pool.release(f.memory, depth: f.depth)
        if parents.isEmpty {
            top = TopOutcome(end: end, gasLeft: f.gas, output: output)
            return
        }
        let child = f
        f = parents.removeLast()
        f.gas += child.gas
        let succeeded: Bool
        if case .success = end { succeeded = true } else { succeeded = false }
        if child.isCreate {
            if succeeded {
                f.returnData = []
                push(UInt256(address: child.address))
            } else {
                f.returnData = output
                push(.zero)
            }
        } else {
            f.returnData = output
            push(succeeded ? 1 : 0)
            let n = Swift.min(child.returnSize, output.count)
            if n > 0 {
                output.withUnsafeBufferPointer {
                    (f.memory.base + child.returnOffset).update(from: $0.baseAddress!, count: n)
                }
            }
        }
    }

    /// EIP-3541 (no 0xEF prefix), 200 gas per byte, EIP-170 (at most 24576 bytes).
    @inlinable mutating func depositCode(_ code: [UInt8]) -> FrameEnd {
        if code.first == 0xef { return .halt(.invalidCodePrefix) }
        guard charge(Gas.codeDeposit * UInt64(code.count)) else { return .halt(.outOfGas) }
        if code.count > Gas.maxCodeSize { return .halt(.codeTooLarge) }
        if !code.isEmpty { setCode(f.address, code) }
        return .success
    }

    // MARK: Tracing (only reached when a tracer is set)

    @inlinable mutating func beginTrace(_ op: UInt8) {
        let stack = Array(UnsafeBufferPointer(start: f.stack, count: f.sp))
        pendingTrace = TraceStep(pc: f.pc, opcode: op, gas: f.gas, gasCost: 0, memorySize: f.memory.size,
                                 stack: stack, depth: f.depth, refund: sub.refund)
    }

    @inlinable mutating func flushTrace() {
        guard var step = pendingTrace, let tracer else { return }
        step.gasCost = step.gas >= f.gas ? step.gas - f.gas : 0
        pendingTrace = nil
        tracer.step(step)
    }
}
