import Foundation
import QuorateTestSupport
import Testing
import QuorateCore
import QuorateCrypto
@testable import QuorateEVM

/// One case of go-ethereum's precompile vector files (Tests/Fixtures/evm-precompiles).
struct PrecompileVector: Decodable, Sendable, CustomTestStringConvertible {
    let Input: String
    let Expected: String?
    let ExpectedError: String?
    let Name: String
    let Gas: UInt64?

    var input: [UInt8] { precompileHex(Input) }
    var expected: [UInt8] { precompileHex(Expected ?? "") }
    var testDescription: String { Name }
}

enum PrecompileFixture {
    static func url(_ name: String) -> URL {
        RepositoryFiles.fixture("evm-precompiles", name)
    }

    /// Read at test-definition time so that every vector is its own test case.
    static func vectors(_ name: String) -> [PrecompileVector] {
        do {
            return try JSONDecoder().decode([PrecompileVector].self, from: Data(contentsOf: url(name)))
        } catch {
            fatalError("cannot read fixture \(name): \(error)")
        }
    }
}

func precompileHex(_ text: String) -> [UInt8] {
    do { return try Hex.decode(text) } catch { fatalError("bad hex in test: \(text)") }
}

func precompileAddress(_ n: UInt8) -> Address {
    Address([UInt8](repeating: 0, count: 19) + [n])
}

/// Runs precompile `n` with a generous gas limit.
func runPrecompile(_ n: UInt8, _ input: [UInt8], gas: UInt64 = 10_000_000) -> PrecompileResult {
    Precompiles.run(precompileAddress(n), input: input, gasLimit: gas)
}
