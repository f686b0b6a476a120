import QuorateCore
import Testing
@testable import QuorateEVM

/// Bad input ends the frame as Ethereum says: an exceptional halt consumes all the gas given.
@Suite("Exceptional halts")
struct HaltTests {
    func expectHalt(_ code: [UInt8], gas: UInt64 = 200_000, _ reason: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let (o, h) = run(code, gas: gas)
        #expect(o.status == .failure(reason), sourceLocation: sourceLocation)
        #expect(o.gasUsed == gas, "an exceptional halt consumes all gas", sourceLocation: sourceLocation)
        #expect(h.accounts[contract]?.storage.isEmpty == true, sourceLocation: sourceLocation)
    }

    @Test("INVALID (0xfe) and an undefined opcode (0x0c) halt the frame")
    func invalidOpcodes() {
        expectHalt([0x60, 1, 0x60, 0, 0x55, 0xfe], "invalid opcode")
        expectHalt([0x0c], "invalid opcode")
        expectHalt([0x5f, 0x49, 0x49, 0xef], "invalid opcode")
    }

    @Test("ADD on an empty stack is a stack underflow")
    func stackUnderflow() {
        expectHalt([0x01], "stack underflow")
        expectHalt([0x5f, 0x90], "stack underflow")
        expectHalt([0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0xf1], "stack underflow")
    }

    @Test("the 1025th stack item is a stack overflow")
    func stackOverflow() {
        expectHalt([UInt8](repeating: 0x5f, count: 1025), gas: 500_000, "stack overflow")
        let (ok, _) = run([UInt8](repeating: 0x5f, count: 1024), gas: 500_000)
        #expect(ok.status == .success)
    }

    @Test("a jump to a byte that is not a JUMPDEST halts the frame")
    func jumpToNonJumpdest() {
        expectHalt([0x60, 3, 0x56, 0x00, 0x5b], "invalid jump destination")
        expectHalt([0x60, 1, 0x60, 99, 0x57], "invalid jump destination")
        expectHalt([0x7f] + [UInt8](repeating: 0xff, count: 32) + [0x56], "invalid jump destination")
    }

    @Test("a jump into push data halts the frame even where the byte is 0x5b")
    func jumpIntoPushData() {
        // PUSH2 0x5b5b; PUSH1 1; JUMP -> offset 1 is inside the PUSH2 immediate.
        expectHalt([0x61, 0x5b, 0x5b, 0x60, 1, 0x56], "invalid jump destination")
        let (ok, _) = run([0x60, 3, 0x56, 0x5b, 0x00])
        #expect(ok.status == .success)
    }

    @Test("RETURNDATACOPY past the end of the return data halts the frame")
    func returnDataOutOfBounds() {
        // RETURNDATACOPY(dest 0, offset 0, size 1) with no return data.
        expectHalt([0x60, 1, 0x5f, 0x5f, 0x3e], "return data out of bounds")
        // Offset past the end with size 0 also halts.
        expectHalt([0x5f, 0x60, 1, 0x5f, 0x3e], "return data out of bounds")
        let (ok, _) = run([0x5f, 0x5f, 0x5f, 0x3e])
        #expect(ok.status == .success)
    }

    @Test("memory offsets near and above 2^64 end the frame out of gas")
    func hugeMemoryOffsets() {
        var codes: [[UInt8]] = []
        var a = Asm(); a.push(UInt256(UInt64.max)); a.op(0x51); codes.append(a.bytes)            // MLOAD 2^64-1
        a = Asm(); a.push(1); a.push(UInt256(UInt64.max - 31)); a.op(0x52); codes.append(a.bytes) // MSTORE
        a = Asm(); a.push(.max); a.op(0x51); codes.append(a.bytes)                               // MLOAD 2^256-1
        a = Asm(); a.push(1); a.push(UInt256(1) << 64); a.op(0x53); codes.append(a.bytes)        // MSTORE8 2^64
        a = Asm(); a.push(UInt256(1) << 63); a.push(0); a.push(0); a.op(0x37); codes.append(a.bytes) // CALLDATACOPY size 2^63
        a = Asm(); a.push(1); a.push(UInt256(UInt64.max)); a.op(0xf3); codes.append(a.bytes)     // RETURN
        a = Asm(); a.push(.max); a.push(0); a.op(0x20); codes.append(a.bytes)                    // KECCAK size 2^256-1
        a = Asm(); a.push(32); a.push(0); a.push(UInt256(UInt64.max)); a.op(0x5e); codes.append(a.bytes) // MCOPY
        a = Asm(); a.push(UInt256(UInt64.max)); a.push(0); a.op(0xa0); codes.append(a.bytes)     // LOG0
        a = Asm()
        a.push(0); a.push(0); a.push(UInt256(1) << 70)  // out size, out offset, in size 2^70
        for _ in 0..<4 { a.push(0) }                     // in offset, value, address, gas
        a.op(0xf1); codes.append(a.bytes)
        for code in codes { expectHalt(code, gas: 10_000_000, "out of gas") }
    }

    @Test("out of gas at each kind of charge: one gas short of a successful run halts")
    func outOfGasAtEachCharge() {
        var cases: [[UInt8]] = []
        var a = Asm(); a.push(1); a.push(2); a.op(0x01); cases.append(a.bytes)                   // static
        a = Asm(); a.push(1); a.push(4000); a.op(0x52); cases.append(a.bytes)                    // memory
        a = Asm(); a.push(1); a.push(1); a.op(0x55); cases.append(a.bytes)                       // SSTORE
        a = Asm(); a.push(address(0x77)); a.op(0x31); cases.append(a.bytes)                      // cold account
        a = Asm(); a.push(7); a.op(0x54); cases.append(a.bytes)                                  // cold slot
        a = Asm(); a.push(UInt256(1) << 200); a.push(3); a.op(0x0a); cases.append(a.bytes)       // EXP bytes
        a = Asm(); a.push(64); a.push(0); a.op(0x20); cases.append(a.bytes)                      // KECCAK words
        a = Asm(); a.push(100); a.push(0); a.push(0); a.op(0x39); cases.append(a.bytes)          // copy words
        a = Asm(); a.push(1); a.push(9); a.push(40); a.push(0); a.op(0xa2); cases.append(a.bytes) // LOG
        a = Asm(); a.push(1); a.push(0); a.op(0x5d); cases.append(a.bytes)                       // TSTORE
        a = Asm(); a.push(100); a.push(0); a.push(0); a.op(0xf0); cases.append(a.bytes)         // CREATE initcode
        for code in cases {
            let (ok, _) = run(code)
            #expect(ok.status == .success)
            #expect(ok.gasRefunded == 0)
            expectHalt(code, gas: ok.gasUsed - 1, "out of gas")
        }
    }

    @Test("SSTORE with 2300 gas or less left halts (EIP-2200 stipend guard)")
    func sstoreStipendGuard() {
        // PUSH1 1; PUSH0; SSTORE with exactly 2306 gas left before the pushes: 2300 remain at SSTORE.
        let code: [UInt8] = [0x60, 1, 0x5f, 0x55]
        expectHalt(code, gas: 21000 + 5 + 2300, "out of gas")
    }
}
