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

    /// The runner builds each transaction from the test's fields; `txbytes` is the same
    /// transaction as the filler signed it. Decoding it with the node's own decoder and comparing
    /// every field checks the runner's choice of type, fees, access list and sender.
    @Test("the transaction the runner builds for every case equals the signed txbytes of the vectors",
          .enabled(if: FileManager.default.fileExists(atPath: Fixtures.generalStateTests)))
    func transactionsMatchTxBytes() throws {
        var compared = 0
        for file in Self.files {
            for test in try StateTestLoader.load(path: file.path, displayName: file.displayName, fork: "Cancun") {
                for c in test.cases {
                    guard let raw = c.txBytes, !raw.isEmpty, test.transaction.blobVersionedHashes == nil,
                          let signed = try? Transaction.decode(raw: raw),
                          let built = try? TransactionBuilder.build(test.transaction, c) else { continue }
                    let place = "\(file.displayName) \(test.name) d\(c.dataIndex) g\(c.gasIndex) v\(c.valueIndex)"
                    #expect(built.type == signed.type.rawValue, "\(place)")
                    #expect(built.nonce == signed.nonce && built.gasLimit == signed.gasLimit, "\(place)")
                    #expect(built.to == signed.to && built.value == signed.value && built.data == signed.data, "\(place)")
                    #expect(built.maxFeePerGas == signed.maxFeePerGas, "\(place)")
                    #expect(built.maxPriorityFeePerGas == signed.maxPriorityFeePerGas, "\(place)")
                    let list = signed.accessList.map { entry in
                        (entry.address, entry.storageKeys.map { UInt256(bigEndian: $0.bytes)! })
                    }
                    #expect(built.accessList.map(\.address) == list.map(\.0), "\(place)")
                    #expect(built.accessList.map(\.storageKeys) == list.map(\.1), "\(place)")
                    #expect(built.sender == (try signed.recoverSender()), "\(place)")
                    compared += 1
                }
            }
        }
        #expect(compared > 10_000)
    }
}
