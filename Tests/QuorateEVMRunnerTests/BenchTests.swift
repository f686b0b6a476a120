import Testing
@testable import QuorateEVMRunner

@Suite struct BenchTests {
    @Test("bench loop files: comments and whitespace are ignored, odd hex is refused")
    func parse() throws {
        let loop = try BenchLoop.parse(name: "x", text: "# a loop\n6001  # PUSH1 1\n 00 # STOP\n")
        #expect(loop.code == [0x60, 0x01, 0x00])
        #expect(throws: UsageError.self) { try BenchLoop.parse(name: "x", text: "600\n") }
        #expect(throws: UsageError("bench loop x has no bytecode")) { try BenchLoop.parse(name: "x", text: "# only\n") }
    }

    /// Speed is never asserted (a benchmark reports it); this proves every loop of evm/bench
    /// runs to its STOP and fills the gas budget it was sized for.
    @Test("bench --quick runs every loop of evm/bench to completion within its gas budget")
    func quickBench() throws {
        var options = BenchOptions()
        options.gasBudget = 4_000_000
        options.directory = Fixtures.repository + "/evm/bench"
        var lines: [String] = []
        let results = try BenchCommand(options, out: { lines.append($0) }).run()
        #expect(results.map(\.loop) == ["arithmetic", "erc20", "keccak", "memcopy"])
        for m in results {
            #expect(m.gas <= 4_000_000 && m.gas > 3_900_000, "\(m.loop) used \(m.gas) gas")
            #expect(m.iterations > 100 && m.instructions > m.iterations * 5, "\(m.loop)")
        }
        #expect(lines.count == 5)
    }
}
