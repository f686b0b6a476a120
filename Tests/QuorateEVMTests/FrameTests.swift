import Foundation
import QuorateCore
import Testing
@testable import QuorateEVM

/// A contract that counts the frames it enters in transient slot 0, calls itself with all
/// its gas, and returns the count: 1025 frames (depths 0...1024) when gas does not run out.
let recursiveCounter: [UInt8] = {
    var a = Asm()
    a.push(0); a.op(0x5c); a.push(1); a.op(0x01); a.push(0); a.op(0x5d)   // counter += 1
    for _ in 0..<5 { a.push(0) }
    a.op(0x30); a.op(0x5a); a.op(0xf1); a.op(0x50)                        // CALL(gas, self, 0...)
    a.push(0); a.op(0x5c)
    a.returnTop()
    return a.bytes
}()

final class ResultBox: @unchecked Sendable {
    var outcome: TransactionOutcome?
    let done = DispatchSemaphore(value: 0)
}

@Suite("Call frames")
struct FrameTests {
    @Test("depth-1024 recursion on a 512 KiB thread stack returns normally with 1025 frames")
    func deepRecursionOnSmallStack() {
        let box = ResultBox()
        let thread = Thread {
            let host = world(code: recursiveCounter)
            var block = testBlock
            block.gasLimit = 2_000_000_000_000
            let tx = callTx(gas: 1_000_000_000_000)
            if case .success(let o) = TransactionProcessor.apply(tx, host: host, block: block) { box.outcome = o }
            box.done.signal()
        }
        thread.stackSize = 512 * 1024
        thread.start()
        box.done.wait()
        #expect(box.outcome?.status == .success)
        #expect(box.outcome.map { word($0.output) } == 1025)
    }

    @Test("a reverted child frame undoes its storage, logs, balance transfers and transient storage")
    func revertUndoesChild() {
        // Child: SSTORE(1, 0x42); TSTORE(1, 7); LOG0; REVERT(0, 0).
        let child: [UInt8] = [0x60, 0x42, 0x60, 1, 0x55, 0x60, 7, 0x60, 1, 0x5d, 0x5f, 0x5f, 0xa0, 0x5f, 0x5f, 0xfd]
        let childAddress = address(0xc1)
        // Parent: CALL(gas, child, value 5, 0, 0, 0, 0); return [success, TLOAD(1) of child is invisible].
        var p = Asm()
        for _ in 0..<4 { p.push(0) }
        p.push(5); p.push(childAddress); p.op(0x5a); p.op(0xf1)
        p.returnTop()
        let host = world(code: p.bytes, extra: [childAddress: .init(nonce: 1, code: child)])
        host.accounts[contract]!.balance = 100
        let (o, h) = run(p.bytes, host: host)
        #expect(o.status == .success)
        #expect(word(o.output) == 0)
        #expect(o.logs.isEmpty)
        #expect(h.accounts[childAddress]?.storage.isEmpty == true)
        #expect(h.accounts[childAddress]?.balance == 0)
        #expect(h.accounts[contract]?.balance == 100)
    }

    @Test("a successful child's storage write and log survive and its return data is readable")
    func successfulChild() {
        // Child: SSTORE(1, 0x42); LOG0; return 32 bytes of 0x99.
        var c = Asm()
        c.push(0x42); c.push(1); c.op(0x55); c.push(0); c.push(0); c.op(0xa0); c.push(0x99); c.returnTop()
        let childAddress = address(0xc2)
        // Parent: CALL with a 32-byte output region at 64, then RETURNDATASIZE * 1000 + MLOAD(64).
        var p = Asm()
        p.push(32); p.push(64); p.push(0); p.push(0); p.push(0); p.push(childAddress); p.op(0x5a); p.op(0xf1)
        p.op(0x50); p.push(64); p.op(0x51); p.op(0x3d); p.push(1000); p.op(0x02); p.op(0x01)
        p.returnTop()
        let host = world(code: p.bytes, extra: [childAddress: .init(nonce: 1, code: c.bytes)])
        let (o, h) = run(p.bytes, host: host)
        #expect(o.status == .success)
        #expect(word(o.output) == UInt256(32_153))
        #expect(o.logs.count == 1)
        #expect(o.logs.first?.address == childAddress)
        #expect(h.accounts[childAddress]?.storage[1] == 0x42)
    }

    /// Calls `target` with STATICCALL and returns the success flag.
    func staticCallResult(_ targetCode: [UInt8]) -> UInt256 {
        let target = address(0xd1)
        var p = Asm()
        for _ in 0..<4 { p.push(0) }
        p.push(target); p.op(0x5a); p.op(0xfa)
        p.returnTop()
        let host = world(code: p.bytes, extra: [target: .init(balance: 10, nonce: 1, code: targetCode)])
        let (o, _) = run(p.bytes, host: host)
        #expect(o.status == .success)
        return word(o.output)
    }

    @Test("state writes in a static context halt the frame; reads succeed")
    func staticContextWrites() {
        #expect(staticCallResult([0x60, 1, 0x5f, 0x55]) == 0)                  // SSTORE
        #expect(staticCallResult([0x60, 1, 0x5f, 0x5d]) == 0)                  // TSTORE
        #expect(staticCallResult([0x5f, 0x5f, 0xa0]) == 0)                     // LOG0
        #expect(staticCallResult([0x5f, 0x5f, 0x5f, 0xf0]) == 0)               // CREATE
        #expect(staticCallResult([0x5f, 0x5f, 0x5f, 0x5f, 0xf5]) == 0)         // CREATE2
        #expect(staticCallResult([0x60, 0x77, 0xff]) == 0)                     // SELFDESTRUCT
        // CALL with value 1 to 0x77.
        #expect(staticCallResult([0x5f, 0x5f, 0x5f, 0x5f, 0x60, 1, 0x60, 0x77, 0x5a, 0xf1]) == 0)
        // CALL without value is allowed; so are SLOAD and TLOAD.
        #expect(staticCallResult([0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x60, 0x77, 0x5a, 0xf1, 0x5f, 0x54, 0x5f, 0x5c]) == 1)
    }

    @Test("CALL beyond depth 1024 fails without running the callee")
    func depthLimit() {
        let box = ResultBox()
        let thread = Thread {
            let host = world(code: recursiveCounter)
            var block = testBlock
            block.gasLimit = 20_000_000_000_000
            if case .success(let o) = TransactionProcessor.apply(callTx(gas: 10_000_000_000_000), host: host, block: block) {
                box.outcome = o
            }
            box.done.signal()
        }
        thread.stackSize = 512 * 1024
        thread.start()
        box.done.wait()
        // Even with more than enough gas the count stops at 1025 frames.
        #expect(box.outcome.map { word($0.output) } == 1025)
    }
}
