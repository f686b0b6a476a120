import Foundation
import Testing
import QuorateCore
@testable import QuorateEVMRunner

/// Reads the shared ethereum/tests vectors in place; the test is disabled (and reported as
/// skipped) where the folder is absent.
@Suite struct VectorLoadingTests {
    static var files: [StateTestFile] { StateTestFiles.find(Fixtures.generalStateTests) ?? [] }

    /// An invalid transaction leaves the state untouched, so the expected root of every case
    /// that expects an exception is the root of the pre-state: a check of the state root
    /// (accounts, code, storage) on the real states of 30 tests without running any EVM.
    @Test("every vector file loads, and the pre-state root equals the expected root of invalid-transaction cases",
          .enabled(if: FileManager.default.fileExists(atPath: Fixtures.generalStateTests)))
    func preStateRoots() throws {
        var checked = 0
        var loaded = 0
        for file in Self.files {
            let tests = try StateTestLoader.load(path: file.path, displayName: file.displayName, fork: "Cancun")
            loaded += 1
            for test in tests {
                guard let invalid = test.cases.first(where: { $0.expectException != nil }) else { continue }
                let host = MemoryHost(accounts: StateTestRunner.preState(test))
                #expect(StateCommitment.stateRoot(of: host) == invalid.stateRoot, "\(file.displayName) \(test.name)")
                checked += 1
            }
        }
        #expect(loaded == Self.files.count)
        #expect(checked >= 20)
    }
}
