import QuorateCore
import QuorateTestSupport
import Testing
@testable import QuorateEVM

@Suite("Robustness")
struct RobustnessTests {
    /// Programs of random opcodes with operands that are mostly small, sometimes huge: every
    /// run ends (success, revert or halt) with gas accounted, and the process keeps running.
    @Test("3000 random programs all end with gas accounted and no trap")
    func randomPrograms() {
        var rng = SeededGenerator(seed: 0x5eed)
        let operands: [UInt256] = [0, 1, 2, 31, 32, 33, 0xff, 0x1000, UInt256(UInt64.max), .max,
                                   UInt256(1) << 64, UInt256(1) << 255, UInt256(address: contract), 0x77]
        for _ in 0..<3000 {
            var a = Asm()
            for _ in 0..<24 {
                let r = rng.next()
                if r % 3 == 0 {
                    a.push(operands[Int(r >> 8) % operands.count])
                } else {
                    a.op(UInt8(truncatingIfNeeded: r >> 16))
                }
            }
            let host = world(code: a.bytes, extra: [address(0x77): .init(balance: 5, nonce: 1, code: a.bytes)])
            host.accounts[contract]!.balance = 1000
            let (o, _) = run(a.bytes, gas: 300_000, host: host)
            #expect(o.gasUsed <= 300_000)
            #expect(o.gasUsed >= 21_000)
        }
    }
}
