import Testing
import QuorateCore
@testable import QuorateEVM

@Test func `identity precompile copies its input and charges 15 + 3 per word`() {
    let result = Precompiles.run(Precompiles.addresses[3], input: [1, 2, 3], gasLimit: 100)
    #expect(result == .success(gasUsed: 18, output: [1, 2, 3]))
    #expect(Precompiles.run(Precompiles.addresses[3], input: [1], gasLimit: 17) == .failure)
    #expect(!Precompiles.contains(Address([UInt8](repeating: 0, count: 19) + [10])))
}
