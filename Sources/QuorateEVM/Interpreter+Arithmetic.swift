import QuorateCore
import QuorateCrypto

extension Interpreter {
    /// Everything outside the inline hot set, by opcode group.
    @inlinable mutating func executeOther(_ op: UInt8) -> Step {
        switch op {
        case 0x04...0x0b, 0x12, 0x13, 0x1a, 0x1d, 0x20: return executeArithmetic(op)
        case 0x30...0x4a: return executeEnvironment(op)
        case 0x53...0x5e, 0xa0...0xa4: return executeState(op)
        case 0xf0, 0xf5: return create(op)
        case 0xf1, 0xf2, 0xf4, 0xfa: return call(op)
        case 0xf3, 0xfd, 0xff: return executeHalting(op)
        default: return .halt(.invalidOpcode)
        }
    }

    @inlinable mutating func executeArithmetic(_ op: UInt8) -> Step {
        switch op {
        case 0x04: binary { UInt256.evmDivMod($0, $1).0 }
        case 0x05: binary { UInt256.evmSDiv($0, $1) }
        case 0x06: binary { UInt256.evmDivMod($0, $1).1 }
        case 0x07: binary { UInt256.evmSMod($0, $1) }
        case 0x08, 0x09:
            let a = pop(), b = pop(), m = f.stack[f.sp - 1]
            f.stack[f.sp - 1] = op == 0x08 ? UInt256.evmAddMod(a, b, m) : UInt256.evmMulMod(a, b, m)
        case 0x0a:
            let exponent = f.stack[f.sp - 2]
            guard charge(Gas.expByte * UInt64(exponent.byteLength)) else { return .halt(.outOfGas) }
            binary { UInt256.evmExp($0, $1) }
        case 0x0b: binary { UInt256.evmSignExtend($0, $1) }
        case 0x12: binary { UInt256.signedLess($0, $1) ? 1 : 0 }
        case 0x13: binary { UInt256.signedLess($1, $0) ? 1 : 0 }
        case 0x1a: binary { UInt256.evmByte($0, $1) }
        case 0x1d: binary { UInt256.evmSar($0, $1) }
        case 0x20:
            let off = pop(), size = f.stack[f.sp - 1]
            guard let s = smallSize(size), charge(Gas.keccakWord * Gas.words(s)),
                  let o = memory(off, size) else { return .halt(.outOfGas) }
            let digest = Keccak256.hash(UnsafeBufferPointer(start: f.memory.base + o, count: Int(s)))
            f.stack[f.sp - 1] = digest.withUnsafeBytes { UInt256(bigEndianWords: $0) }
        default:
            preconditionFailure("opcode \(op) routed to the arithmetic group")
        }
        f.pc += 1
        return .next
    }
}
