import Foundation
import QuorateCore

/// A node the bench makes and runs: keys, a genesis that funds the bench accounts, `init`, then
/// `start` on free ports. All through `quorate-node`'s own commands. The sync mode runs two in one
/// work folder: the validator (`node`, which owns the folder) and the fresh node (`fresh`).
final class NodeProcess {
    static let chainId: UInt64 = 1337
    static let balancePerAccount = "1000000ether"
    static let startTimeoutS: Double = 60
    static let stopTimeoutS: Double = 30

    let binary: String
    let workDir: String
    /// The node's name: its data folder and log in `workDir`, and its interruption guard.
    let name: String
    let ownsWorkDir: Bool
    let removeWorkDir: Bool
    private(set) var process: Process?
    private(set) var url: String?

    var dataDir: String { workDir + "/" + name }
    var logPath: String { workDir + "/" + name + ".log" }
    var passwordPath: String { workDir + "/password.txt" }
    var genesisPath: String { workDir + "/genesis.json" }
    var pid: Int32? { process?.processIdentifier }
    var isRunning: Bool { process?.isRunning ?? false }

    /// `ownsWorkDir`: false for a second node in another node's folder (that node removes it).
    init(binary: String, workDir: String?, keep: Bool, name: String = "node", ownsWorkDir: Bool = true) throws {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchError("no quorate-node at \(binary): build it (swift build -c release) or give --node-bin PATH")
        }
        self.binary = binary
        self.name = name
        if let workDir {
            guard !FileManager.default.fileExists(atPath: workDir + "/" + name) else {
                throw BenchError("\(workDir)/\(name) already exists: give an empty --workdir (the bench makes a fresh chain)")
            }
            try FileManager.default.createDirectory(atPath: workDir, withIntermediateDirectories: true)
            self.workDir = workDir
        } else {
            self.workDir = try NodeProcess.makeTemporaryDirectory()
        }
        self.ownsWorkDir = ownsWorkDir
        removeWorkDir = !keep && ownsWorkDir
        Interruption.shared.guardNode(name, pid: nil, folder: removeWorkDir ? self.workDir : nil)
    }

    /// Makes the chain and starts the node; returns its JSON-RPC URL. `startArguments` are added
    /// to `quorate-node start` (the sync mode allows its fresh node's key).
    func create(funding accounts: [Address], startArguments: [String] = []) throws -> String {
        note("making a single-validator chain in \(workDir) with \(accounts.count) funded bench accounts")
        let validator = try keygen()
        try genesis(validator: validator, accounts: accounts)
        try initialize()
        return try start(startArguments)
    }

    /// `quorate-node init` from the work folder's genesis.
    func initialize() throws {
        _ = try ToolRunner.check(binary, ["init", "--genesis", genesisPath, "--datadir", dataDir])
    }

    /// The node's P2P public key (hex) and port, from its log once it runs.
    func p2pEndpoint() throws -> (key: String, port: UInt16) {
        let marker = "p2p listening on "
        guard let line = readLog().split(separator: "\n").first(where: { $0.contains(marker) }),
              let range = line.range(of: marker) else {
            throw BenchError("\(name) did not log its P2P address (\"\(marker)...\"); its log:\n\(tailOfLog())")
        }
        let parts = line[range.upperBound...].split(separator: " ")  // HOST:PORT as KEY
        guard parts.count == 3, let port = parts[0].split(separator: ":").last.flatMap({ UInt16($0) }) else {
            throw BenchError("cannot read the P2P address from: \(line)")
        }
        return (String(parts[2]), port)
    }

    private func writePasswordIfMissing() throws {
        guard !FileManager.default.fileExists(atPath: passwordPath) else { return }
        let password = (0..<24).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.joined()
        guard FileManager.default.createFile(atPath: passwordPath, contents: Data((password + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw BenchError("cannot write \(passwordPath)")
        }
    }

    /// Makes the node's keys; returns "validator address:node key".
    func keygen() throws -> String {
        try writePasswordIfMissing()
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
                    "--out", genesisPath]
        for a in accounts { args += ["--alloc", "\(a.hex)=\(NodeProcess.balancePerAccount)"] }
        _ = try ToolRunner.check(binary, args)
    }

    /// Starts `quorate-node start` on free ports; returns its JSON-RPC URL once it listens.
    func start(_ extraArguments: [String] = []) throws -> String {
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else { throw BenchError("cannot write \(logPath)") }
        let process = Process()
        let (executable, arguments) = NodeProcess.launcher(binary, [
            "start", "--datadir", dataDir, "--rpc-port", "0", "--password-file", passwordPath,
            "--p2p-host", "127.0.0.1", "--p2p-port", "0",
        ] + extraArguments)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        Interruption.shared.guardNode(name, pid: process.processIdentifier, folder: removeWorkDir ? workDir : nil)
        let url = try waitForListening()
        self.url = url
        note("\(name) started: pid \(process.processIdentifier), JSON-RPC \(url), log \(logPath)")
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
        Interruption.shared.guardNode(name, pid: nil, folder: nil)
        if removeWorkDir {
            try? FileManager.default.removeItem(atPath: workDir)
        } else if ownsWorkDir {
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

    static func makeTemporaryDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "quorate-bench.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw BenchError("cannot make a temporary folder in \(NSTemporaryDirectory()): \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }
}
