import Foundation
import Testing
@testable import QuorateEVMRunner

@Suite struct CommandLineTests {
    @Test("statetest takes a fork, trace and quiet flags, a skip file and paths")
    func parsesStatetest() throws {
        let command = try EVMCommand.parse(["statetest", "--fork", "Shanghai", "--trace", "--quiet",
                                            "--skip-file", "s.txt", "a.json", "dir"])
        var expected = StatetestOptions()
        expected.fork = "Shanghai"
        expected.trace = true
        expected.quiet = true
        expected.skipFile = "s.txt"
        expected.paths = ["a.json", "dir"]
        #expect(command == .statetest(expected))
        guard case .statetest(let json) = try EVMCommand.parse(["statetest", "--json", "x"]) else {
            Issue.record("--json is not a statetest")
            return
        }
        #expect(json.trace && json.fork == "Cancun")
    }

    @Test("statetest without a path, with an unknown option or fork, or a flag missing its value is a usage error")
    func statetestErrors() {
        #expect(throws: UsageError("statetest needs at least one file or folder")) {
            try EVMCommand.parse(["statetest", "--quiet"])
        }
        #expect(throws: UsageError("unknown option --frok")) { try EVMCommand.parse(["statetest", "--frok", "x"]) }
        #expect(throws: UsageError("unknown fork \"Cancoon\"")) {
            try EVMCommand.parse(["statetest", "--fork", "Cancoon", "x"])
        }
        #expect(throws: UsageError("--fork needs a value")) { try EVMCommand.parse(["statetest", "--fork"]) }
        #expect(throws: UsageError("--skip-file needs a value")) {
            try EVMCommand.parse(["statetest", "--skip-file", "--quiet", "x"])
        }
    }

    @Test("no command, an unknown command and bad bench arguments are usage errors")
    func otherErrors() throws {
        #expect(throws: UsageError("no command given")) { try EVMCommand.parse([]) }
        #expect(throws: UsageError("unknown command \"run\"")) { try EVMCommand.parse(["run"]) }
        #expect(throws: UsageError("--gas needs a number of at least 100000")) {
            try EVMCommand.parse(["bench", "--gas", "12"])
        }
        #expect(throws: UsageError("unknown bench argument --fast")) { try EVMCommand.parse(["bench", "--fast"]) }
        guard case .bench(let quick) = try EVMCommand.parse(["bench", "--quick"]) else {
            Issue.record("bench --quick is not a bench")
            return
        }
        #expect(quick.gasBudget == 4_000_000)
    }

    @Test("a missing path is reported as skipped with a zero summary and exit status 0")
    func missingPath() {
        var options = StatetestOptions()
        options.paths = ["/nonexistent/GeneralStateTests"]
        var out: [String] = []
        let status = StatetestCommand(options, out: { out.append($0) }, err: { _ in }).run()
        #expect(status == 0)
        #expect(out == ["no state tests at /nonexistent/GeneralStateTests: skipped", "0 passed, 0 failed, 0 skipped"])
    }

    @Test("a malformed file is one failure naming the file, and the exit status is 1")
    func malformedFileFails() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quorate-evm-cli-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("{\"broken\": {\"env\": 3}}".utf8).write(to: dir.appendingPathComponent("bad.json"))
        var options = StatetestOptions()
        options.paths = [dir.path]
        options.skipFile = Fixtures.directory + "/skip.txt"
        var out: [String] = []
        let status = StatetestCommand(options, out: { out.append($0) }, err: { _ in }).run()
        #expect(status == 1)
        #expect(out == ["{\"file\":\"bad.json\",\"pass\":false,\"error\":\"bad.json: test broken: env: is not a JSON object\"}",
                        "0 passed, 1 failed, 0 skipped"])
    }

    @Test("skip-list lines need a file, a test, optional data indexes and a blob or KZG reason")
    func skipList() throws {
        let list = try SkipList(text: "# comment\n\nCancun/x.json test1 needs the KZG precompile (0x0a)\n"
                                    + "y.json t2 data=3,5 calls KZG 0x0a\n", source: "skip.txt")
        #expect(list.count == 2)
        #expect(list.reason(file: "Cancun/x.json", test: "test1", dataIndex: 7) == "needs the KZG precompile (0x0a)")
        #expect(list.reason(file: "Cancun/x.json", test: "test2", dataIndex: 0) == nil)
        #expect(list.reason(file: "y.json", test: "t2", dataIndex: 5) == "calls KZG 0x0a")
        #expect(list.reason(file: "y.json", test: "t2", dataIndex: 4) == nil)
        #expect(throws: StateTestError(file: "skip.txt", field: "line 1",
                                       problem: "expected \"data=I,J,... reason\" after the test name")) {
            try SkipList(text: "a.json t data=1,x KZG", source: "skip.txt")
        }
        #expect(throws: StateTestError(file: "skip.txt", field: "line 1",
                                       problem: "the only allowed skip reasons are blob transactions and the KZG precompile, got \"too slow\"")) {
            try SkipList(text: "a.json t too slow", source: "skip.txt")
        }
        #expect(throws: StateTestError(file: "skip.txt", field: "line 2",
                                       problem: "expected \"file-relative-path testname reason\"")) {
            try SkipList(text: "\na.json\n", source: "skip.txt")
        }
        // The repository's own list must load.
        _ = try SkipList(text: String(decoding: try Fixtures.data("skip.txt"), as: UTF8.self), source: "skip.txt")
    }

    @Test("a case result prints as one JSON object with its fields in order")
    func jsonLine() throws {
        let r = CaseResult(name: "add11", fork: "Cancun", dataIndex: 0, gasIndex: 1, valueIndex: 2, verdict: .pass,
                           stateRoot: nil, error: "a \"quoted\"\nerror")
        #expect(r.jsonLine() == "{\"name\":\"add11\",\"fork\":\"Cancun\",\"index\":{\"data\":0,\"gas\":1,\"value\":2},\"pass\":true,\"stateRoot\":null,\"error\":\"a \\\"quoted\\\"\\nerror\"}")
        let skipped = CaseResult(name: "b", fork: "Cancun", dataIndex: 0, gasIndex: 0, valueIndex: 0,
                                 verdict: .skipped(reason: "blob transaction"), stateRoot: nil, error: nil)
        #expect(skipped.jsonLine(file: "f.json").contains("\"pass\":false,\"skipped\":\"blob transaction\","))
        #expect(skipped.jsonLine(file: "f.json").hasSuffix(",\"file\":\"f.json\"}"))
    }
}
