import Foundation
import QuorateCore

/// A single validator the bench makes and runs: keys, a genesis that funds the bench accounts,
/// `init`, then `start` on a free port. All through `quorate-node`'s own commands.
final class NodeProcess {
    static let chainId: UInt64 = 1337
    static let balancePerAccount = "1000000ether"
    static let startTimeoutS: Double = 60
    static let stopTimeoutS: Double = 30

    let binary: String
    let workDir: String
    let removeWorkDir: Bool
    private(set) var process: Process?
    private(set) var url: String?

    var dataDir: String { workDir + "/node" }
    var logPath: String { workDir + "/node.log" }
    var passwordPath: String { workDir + "/password.txt" }
    var pid: Int32? { process?.processIdentifier }
    var isRunning: Bool { process?.isRunning ?? false }

    init(binary: String, workDir: String?, keep: Bool) throws {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchError("no quorate-node at \(binary): build it (swift build -c release) or give --node-bin PATH")
        }
        self.binary = binary
        if let workDir {
            guard !FileManager.default.fileExists(atPath: workDir + "/node") else {
                throw BenchError("\(workDir)/node already exists: give an empty --workdir (the bench makes a fresh chain)")
            }
            try FileManager.default.createDirectory(atPath: workDir, withIntermediateDirectories: true)
            self.workDir = workDir
        } else {
            self.workDir = try NodeProcess.makeTemporaryDirectory()
        }
        removeWorkDir = !keep
        Interruption.shared.guardNode(pid: nil, folder: keep ? nil : self.workDir)
    }

    /// Makes the chain and starts the node; returns its JSON-RPC URL.
    func create(funding accounts: [Address]) throws -> String {
        note("making a single-validator chain in \(workDir) with \(accounts.count) funded bench accounts")
        try writePassword()
        let validator = try keygen()
        try genesis(validator: validator, accounts: accounts)
        _ = try ToolRunner.check(binary, ["init", "--genesis", workDir + "/genesis.json", "--datadir", dataDir])
        return try start()
    }

    private func writePassword() throws {
        let password = (0..<24).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.joined()
        guard FileManager.default.createFile(atPath: passwordPath, contents: Data((password + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw BenchError("cannot write \(passwordPath)")
        }
    }

    private func keygen() throws -> String {
        let out = try ToolRunner.check(binary, ["keygen", "--datadir", dataDir, "--password-file", passwordPath])
        func field(_ prefix: String) -> String? {
            out.split(separator: "\n").first { $0.hasPrefix(prefix) }
                .map { $0.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces) }
        }
        guard let address = field("validator address:"), let nodeKey = field("node key:") else {
            throw BenchError("cannot read the validator address and node key from `quorate-node keygen`: \(out)")
        }
        return address + ":" + nodeKey
    }

    private func genesis(validator: String, accounts: [Address]) throws {
        var args = ["genesis", "--chain-id", String(NodeProcess.chainId), "--validator", validator,
                    "--out", workDir + "/genesis.json"]
        for a in accounts { args += ["--alloc", "\(a.hex)=\(NodeProcess.balancePerAccount)"] }
        _ = try ToolRunner.check(binary, args)
    }

    private func start() throws -> String {
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else { throw BenchError("cannot write \(logPath)") }
        let process = Process()
        let (executable, arguments) = NodeProcess.launcher(binary, [
            "start", "--datadir", dataDir, "--rpc-port", "0", "--password-file", passwordPath,
            "--p2p-host", "127.0.0.1", "--p2p-port", "0",
        ])
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        Interruption.shared.guardNode(pid: process.processIdentifier, folder: removeWorkDir ? workDir : nil)
        let url = try waitForListening()
        self.url = url
        note("node started: pid \(process.processIdentifier), JSON-RPC \(url), log \(logPath)")
        return url
    }

    private func waitForListening() throws -> String {
        let deadline = Clock.monotonicNs() + UInt64(NodeProcess.startTimeoutS * 1e9)
        let marker = "JSON-RPC listening on "
        while Clock.monotonicNs() < deadline {
            let log = readLog()
            if let line = log.split(separator: "\n").first(where: { $0.contains(marker) }),
               let range = line.range(of: marker) {
                return String(line[range.upperBound...]).trimmingCharacters(in: .whitespaces)
            }
            guard isRunning else {
                throw BenchError("quorate-node exited (status \(process?.terminationStatus ?? -1)) before listening; its log:\n\(tailOfLog())")
            }
            usleep(20_000)
        }
        throw BenchError("quorate-node did not start listening within \(Int(NodeProcess.startTimeoutS)) s; its log:\n\(tailOfLog())")
    }

    func readLog() -> String {
        String(decoding: FileManager.default.contents(atPath: logPath) ?? Data(), as: UTF8.self)
    }

    func tailOfLog(lines: Int = 20) -> String {
        readLog().split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// SIGTERM, then SIGKILL if the node has not stopped within the time limit.
    func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        let deadline = Clock.monotonicNs() + UInt64(NodeProcess.stopTimeoutS * 1e9)
        while process.isRunning, Clock.monotonicNs() < deadline { usleep(20_000) }
        if process.isRunning {
            note("quorate-node did not stop within \(Int(NodeProcess.stopTimeoutS)) s of SIGTERM: killing it")
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Stops the node and removes its files unless `--keep` was given.
    func finish() {
        guard !Interruption.shared.isInterrupted else { return }  // the signal handler cleans up
        stop()
        Interruption.shared.guardNode(pid: nil, folder: nil)
        if removeWorkDir {
            try? FileManager.default.removeItem(atPath: workDir)
        } else {
            note("kept the chain in \(workDir) (node data in \(dataDir)); run it again with: \(binary) start --datadir \(dataDir) --password-file \(passwordPath)")
        }
    }

    /// util-linux's `setpriv --pdeathsig TERM` (Debian: always installed) makes the kernel stop
    /// the node if the bench dies without cleaning up (a crash, SIGKILL); the node is exec'd in
    /// place, so the pid stays the node's. Without setpriv the node is started directly.
    static func launcher(_ binary: String, _ arguments: [String]) -> (String, [String]) {
        let setpriv = "/usr/bin/setpriv"
        guard FileManager.default.isExecutableFile(atPath: setpriv) else { return (binary, arguments) }
        return (setpriv, ["--pdeathsig", "TERM", binary] + arguments)
    }

    private static func makeTemporaryDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "quorate-bench.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw BenchError("cannot make a temporary folder in \(NSTemporaryDirectory()): \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }
}
