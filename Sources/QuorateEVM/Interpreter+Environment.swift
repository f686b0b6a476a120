import QuorateCore

extension Interpreter {
    /// EIP-2929: 100 for a warm account, 2600 for a cold one (which becomes warm).
    @inlinable @inline(__always) mutating func accessCost(_ a: Address) -> UInt64 {
        warm(a) ? Gas.warmAccess : Gas.coldAccountAccess
    }

    /// Pays for and performs a copy of `source` into memory (CALLDATACOPY, CODECOPY,
    /// EXTCODECOPY): 3 gas per word plus memory expansion.
    @inlinable mutating func copyToMemory(_ source: UnsafeBufferPointer<UInt8>, dest: UInt256, offset: UInt256,
                               size: UInt256) -> Step {
        guard let s = smallSize(size), charge(Gas.copyWord * Gas.words(s)),
              let d = memory(dest, size) else { return .halt(.outOfGas) }
        f.memory.write(d, from: source, sourceOffset: offset, count: Int(s))
        f.pc += 1
        return .next
    }

    @inlinable mutating func executeEnvironment(_ op: UInt8) -> Step {
        switch op {
        case 0x30: push(UInt256(address: f.address))
        case 0x31:
            let a = pop().asAddress
            guard charge(accessCost(a)) else { return .halt(.outOfGas) }
            push(host.balance(of: a))
        case 0x32: push(UInt256(address: tx.origin))
        case 0x33: push(UInt256(address: f.caller))
        case 0x34: push(f.value)
        case 0x35: f.stack[f.sp - 1] = callDataWord(f.stack[f.sp - 1])
        case 0x36: push(UInt256(UInt64(f.input.count)))
        case 0x37:
            let dest = pop(), off = pop(), size = pop()
            let input = f.input
            return input.withUnsafeBufferPointer { copyToMemory($0, dest: dest, offset: off, size: size) }
        case 0x38: push(UInt256(UInt64(f.code.count)))
        case 0x39:
            let dest = pop(), off = pop(), size = pop()
            let code = f.code.original
            return code.withUnsafeBufferPointer { copyToMemory($0, dest: dest, offset: off, size: size) }
        case 0x3a: push(tx.gasPrice)
        case 0x3b:
            let a = pop().asAddress
            guard charge(accessCost(a)) else { return .halt(.outOfGas) }
            push(UInt256(UInt64(host.code(at: a).count)))
        case 0x3c:
            let a = pop().asAddress, dest = pop(), off = pop(), size = pop()
            guard charge(accessCost(a)) else { return .halt(.outOfGas) }
            let code = host.code(at: a)
            return code.withUnsafeBufferPointer { copyToMemory($0, dest: dest, offset: off, size: size) }
        case 0x3d: push(UInt256(UInt64(f.returnData.count)))
        case 0x3e: return returnDataCopy()
        case 0x3f:
            let a = pop().asAddress
            guard charge(accessCost(a)) else { return .halt(.outOfGas) }
            push(isEmpty(a) ? .zero : UInt256(hash: host.codeHash(at: a)))
        case 0x40:
            let n = f.stack[f.sp - 1]
            var v = UInt256.zero
            if let num = n.uint64, num < block.number, block.number - num <= 256 {
                v = UInt256(hash: host.blockHash(number: num))
            }
            f.stack[f.sp - 1] = v
        case 0x41: push(UInt256(address: block.coinbase))
        case 0x42: push(UInt256(block.timestamp))
        case 0x43: push(UInt256(block.number))
        case 0x44: push(UInt256(hash: block.prevRandao))
        case 0x45: push(UInt256(block.gasLimit))
        case 0x46: push(block.chainId)
        case 0x47: push(host.balance(of: f.address))
        case 0x48: push(block.baseFee)
        case 0x49:
            let i = f.stack[f.sp - 1]
            if let ii = i.uint64, ii < UInt64(tx.blobHashes.count) {
                f.stack[f.sp - 1] = UInt256(hash: tx.blobHashes[Int(ii)])
            } else {
                f.stack[f.sp - 1] = .zero
            }
        case 0x4a: push(block.blobBaseFee)
        default:
            return .halt(.invalidOpcode)
        }
        f.pc += 1
        return .next
    }

    /// 32 bytes of call data from `offset`, zero past the end.
    @inlinable func callDataWord(_ offset: UInt256) -> UInt256 {
        guard let o = offset.uint64, o < UInt64(f.input.count) else { return .zero }
        let start = Int(o)
        return f.input.withUnsafeBufferPointer { input in
            let n = Swift.min(32, input.count - start)
            if n == 32 { return UInt256(bigEndianWords: UnsafeRawBufferPointer(start: input.baseAddress! + start, count: 32)) }
            return withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { buf in
                buf.initializeMemory(as: UInt8.self, repeating: 0)
                buf.baseAddress!.copyMemory(from: input.baseAddress! + start, byteCount: n)
                return UInt256(bigEndianWords: UnsafeRawBufferPointer(buf))
            }
        }
    }

    @inlinable mutating func returnDataCopy() -> Step {
        let dest = pop(), off = pop(), size = pop()
        guard let s = smallSize(size), charge(Gas.copyWord * Gas.words(s)),
              let d = memory(dest, size) else { return .halt(.outOfGas) }
        guard let o = off.uint64, o <= UInt64(f.returnData.count),
              s <= UInt64(f.returnData.count) - o else { return .halt(.returnDataOutOfBounds) }
        f.returnData.withUnsafeBufferPointer {
            f.memory.write(d, from: $0, sourceOffset: off, count: Int(s))
        }
        f.pc += 1
        return .next
    }
}
