import Foundation
import Testing
import QuorateCore
@testable import QuorateEVMRunner

/// Runs state test files through the real TransactionProcessor on a MemoryHost.
@Suite struct EndToEndTests {
    static func run(_ paths: [String], trace: Bool = false) -> (status: Int32, out: [String], err: [String]) {
        var options = StatetestOptions()
        options.paths = paths
        options.trace = trace
        options.skipFile = Fixtures.directory + "/skip.txt"
        var out: [String] = []
        var err: [String] = []
        let status = StatetestCommand(options, out: { out.append($0) }, err: { err.append($0) }).run()
        return (status, out, err)
    }

    static func results(_ name: String) throws -> [CaseResult] {
        let tests = try StateTestLoader.load(path: Fixtures.directory + "/" + name, displayName: name, fork: "Cancun")
        let runner = StateTestRunner()
        return tests.flatMap { runner.run($0, file: name) }
    }

    @Test("the hand-made file passes: transfers of types 0, 1 and 2, storage and a log, refused transactions; the blob case is skipped")
    func handMade() throws {
        let r = Self.run([Fixtures.directory + "/stQuorateRunner.json"])
        #expect(r.status == 0)
        #expect(r.out.last == "5 passed, 0 failed, 1 skipped")
        let results = try Self.results("stQuorateRunner.json")
        let refused = results.filter { $0.name == "legacyTransfer" && $0.gasIndex > 0 }
        #expect(refused.map(\.error) == ["intrinsic gas too low: have 20999, want 21000", "gas limit exceeds 2^64-1"])
        #expect(results.first { $0.name == "blobTransaction" }?.verdict == .skipped(reason: "blob transaction"))
    }

    @Test("--folders prints one count line per top-level folder before the summary")
    func folders() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quorate-evm-folders-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        for (folder, name) in [("stB", "stQuorateRunner.json"), ("stA", "add11.json")] {
            let sub = dir.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            try Fixtures.data(name).write(to: sub.appendingPathComponent(name))
        }
        var options = StatetestOptions()
        options.paths = [dir.path]
        options.quiet = true
        options.folders = true
        options.skipFile = Fixtures.directory + "/skip.txt"
        var out: [String] = []
        let status = StatetestCommand(options, out: { out.append($0) }, err: { _ in }).run()
        #expect(status == 0)
        #expect(out == ["stA: 1 passed, 0 failed, 0 skipped", "stB: 5 passed, 0 failed, 1 skipped",
                        "6 passed, 0 failed, 1 skipped"])
    }

    @Test("ethereum/tests' add11 passes with its published state root")
    func add11() throws {
        let results = try Self.results("add11.json")
        #expect(results.count == 1)
        #expect(results[0].verdict == .pass)
        #expect(results[0].stateRoot?.hex == "0xe8010ce590f401c9d61fef8ab05bea9bcec24281b795e5868809bc4e515aa530")
    }

    @Test("a wrong expected root fails the case with both roots in the error, and the exit status is 1")
    func wrongRootFails() throws {
        let data = try Fixtures.data("add11.json")
        let text = String(decoding: data, as: UTF8.self)
            .replacingOccurrences(of: "0xe8010ce590f401c9d61fef8ab05bea9bcec24281b795e5868809bc4e515aa530",
                                  with: "0x" + String(repeating: "11", count: 32))
        let tests = try StateTestLoader.parse(Data(text.utf8), displayName: "add11.json", fork: "Cancun")
        let result = StateTestRunner().run(tests[0], file: "add11.json")[0]
        #expect(result.verdict == .fail)
        #expect(result.error == "post state root mismatch: got 0xe8010ce590f401c9d61fef8ab05bea9bcec24281b795e5868809bc4e515aa530, want 0x" + String(repeating: "11", count: 32))
    }

    @Test("an expected exception that does not happen fails the case")
    func missingExceptionFails() throws {
        var doc = try JSONSerialization.jsonObject(with: Fixtures.data("add11.json")) as! [String: Any]
        var test = doc["add11"] as! [String: Any]
        var post = test["post"] as! [String: Any]
        var cases = post["Cancun"] as! [[String: Any]]
        cases[0]["expectException"] = "TransactionException.INTRINSIC_GAS_TOO_LOW"
        post["Cancun"] = cases
        test["post"] = post
        doc["add11"] = test
        let tests = try StateTestLoader.parse(try JSONSerialization.data(withJSONObject: doc), displayName: "add11.json", fork: "Cancun")
        let result = StateTestRunner().run(tests[0], file: "add11.json")[0]
        #expect(result.verdict == .fail)
        #expect(result.error == "expected exception TransactionException.INTRINSIC_GAS_TOO_LOW, but the transaction was applied")
    }

    @Test("--trace writes EIP-3155 lines per instruction and a summary line to stderr, not stdout")
    func trace() throws {
        let r = Self.run([Fixtures.directory + "/add11.json"], trace: true)
        #expect(r.status == 0)
        #expect(r.out.count == 2)
        // add11: PUSH1 1 PUSH1 1 ADD PUSH1 0 SSTORE STOP with 400000 - 21000 = 0x5c878 gas.
        #expect(r.err.first == "{\"pc\":0,\"op\":96,\"gas\":\"0x5c878\",\"gasCost\":\"0x3\",\"memSize\":0,\"stack\":[],\"depth\":1,\"refund\":0,\"opName\":\"PUSH1\"}")
        #expect(r.err.contains { $0.hasPrefix("{\"pc\":4,\"op\":1,") && $0.contains("\"stack\":[\"0x1\",\"0x1\"]") && $0.hasSuffix("\"opName\":\"ADD\"}") })
        #expect(r.err.last?.hasPrefix("{\"output\":\"\",\"gasUsed\":\"0x") == true)
        #expect(r.err.count == 7)
    }
}
