@testable import QuorateCLI
import QuorateTestSupport
import Testing

@Suite("command-line arguments")
struct CommandLineArgumentsTests {
    @Test("options, --x=y options, switches and positionals")
    func parses() throws {
        var args = try CommandLineArguments(["init", "--genesis", "g.json", "--datadir=/tmp/d", "--json", "extra"], switchNames: ["json", "help"])
        #expect(args.positional == ["init", "extra"])
        #expect(args.option("genesis") == "g.json")
        #expect(args.option("datadir") == "/tmp/d")
        let json = args.flag("json"), help = args.flag("help")
        #expect(json && !help)
        #expect(args.option("missing") == nil)
        try args.refuseUnknown()
    }

    @Test("--x=y keeps everything after the first '=', empty values included")
    func equalsForm() throws {
        var args = try CommandLineArguments(["--alloc=0xabc=1000ether", "--label="])
        #expect(args.option("alloc") == "0xabc=1000ether")
        #expect(args.option("label") == "")
        try args.refuseUnknown()
    }

    @Test("a repeated option keeps every value; option() reads the last")
    func repeated() throws {
        var args = try CommandLineArguments(["--validator", "a", "--validator=b", "--validator", "c"])
        #expect(args.options("validator") == ["a", "b", "c"])
        #expect(args.option("validator") == "c")
        try args.refuseUnknown()
    }

    @Test("secrets on the command line are refused with the secrets message, in either form")
    func secretsRefused() throws {
        for argv in [["--password", "hunter2"], ["--password=hunter2"], ["--passphrase", "x"], ["--private-key=0x01"], ["--password"]] {
            expectError(containing: "secrets are never taken on the command line (they would show in `ps` and shell history): use --password-file FILE, the QUORATE_PASSWORD environment variable, or the prompt") {
                _ = try CommandLineArguments(argv)
            }
        }
        // The file form is fine.
        var args = try CommandLineArguments(["--password-file", "pw.txt"])
        #expect(args.option("password-file") == "pw.txt")
    }

    @Test("unknown options and switches are refused, naming the first")
    func unknownRefused() throws {
        var args = try CommandLineArguments(["--genesis", "g", "--zeta", "1", "--alpha", "2", "--json"], switchNames: ["json"])
        _ = args.option("genesis")
        expectError(containing: "unknown option --alpha") { try args.refuseUnknown() }
        _ = args.option("alpha")
        expectError(containing: "unknown option --zeta") { try args.refuseUnknown() }
        _ = args.option("zeta")
        expectError(containing: "unknown option --json") { try args.refuseUnknown() }
        _ = args.flag("json")
        try args.refuseUnknown()
    }

    @Test("an option without its value is refused; required() names what is missing")
    func missingValues() throws {
        expectError(containing: "--datadir needs a value") { _ = try CommandLineArguments(["init", "--datadir"]) }
        var args = try CommandLineArguments([])
        expectError(containing: "missing --genesis FILE") { _ = try args.required("genesis", "FILE") }
    }

    @Test("a switch given a value is refused, so --json=false cannot turn it on")
    func switchWithValue() throws {
        expectError(containing: "--json takes no value") { _ = try CommandLineArguments(["--json=false"], switchNames: ["json"]) }
        expectError(containing: "--non-voting takes no value") {
            _ = try CommandLineArguments(["--non-voting=no"], switchNames: ["non-voting"])
        }
    }
}
