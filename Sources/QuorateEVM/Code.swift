import QuorateCore

/// Bytecode with its JUMPDEST analysis, made once per code (the EVM caches it by code hash).
/// The bytes are padded with 33 zeros after (so PUSH32 at the end and the implicit STOP past
/// the end read no bounds-checked memory) and 8 before (so a PUSH immediate is read as whole
/// big-endian words ending at its last byte).
@usableFromInline final class AnalyzedCode {
    @usableFromInline let original: [UInt8]
    @usableFromInline let count: Int
    @usableFromInline let bytes: UnsafeMutablePointer<UInt8>
    @usableFromInline let allocation: UnsafeMutablePointer<UInt8>
    /// One byte per code byte: 1 where a JUMPDEST opcode (not push data) sits.
    @usableFromInline let jumpdests: UnsafeMutablePointer<UInt8>

    @inlinable init(_ code: [UInt8]) {
        original = code
        count = code.count
        allocation = .allocate(capacity: count + 41)
        allocation.initialize(repeating: 0, count: count + 41)
        bytes = allocation + 8
        jumpdests = .allocate(capacity: count + 1)
        jumpdests.initialize(repeating: 0, count: count + 1)
        var i = 0
        while i < count {
            let op = code[i]
            bytes[i] = op
            if op == 0x5b {
                jumpdests[i] = 1
                i += 1
            } else if op >= 0x60 && op <= 0x7f {
                let n = Int(op) - 0x5f
                var k = 1
                while k <= n && i + k < count {
                    bytes[i + k] = code[i + k]
                    k += 1
                }
                i += n + 1
            } else {
                i += 1
            }
        }
    }

    deinit {
        allocation.deallocate()
        jumpdests.deallocate()
    }

    @inlinable @inline(__always) func isJumpdest(_ target: UInt256) -> Bool {
        guard let t = target.uint64, t < UInt64(count) else { return false }
        return jumpdests[Int(t)] == 1
    }
}
