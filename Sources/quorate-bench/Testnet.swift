import Foundation
import QuorateCore

/// The local network of `tools/testnet`: started by the bench in a folder of its own (and
/// stopped with `tools/testnet down` at the end, on error and on Ctrl-C), or a running one found
/// in `--testnet-dir`.
final class Testnet {
    /// `tools/testnet up`: keys (scrypt per validator), genesis, start, then up to 60 s per node
    /// for the first block.
    static let upTimeoutS = 300.0
    static let downTimeoutS = 60.0
    /// Port bases are drawn from here; each needs `validators` free ports after it.
    static let portRange = 20_000...60_000
    static let portAttempts = 50

    struct Member {
        let name: String
        let url: String
        let pid: Int32
        let dataDir: String
    }

    let tool: String
    let dir: String
    /// True when the bench ran `up`: it runs `down` at the end.
    let startedByBench: Bool
    let removeDir: Bool
    private(set) var members: [Member] = []
    private var stopped = false

    var keystoreDir: String { dir + "/accounts" }
    var passwordFile: String { dir + "/password.txt" }
    var pidFile: String { dir + "/pids" }

    /// Starts `validators` validators whose genesis also funds `funding` (the bench accounts).
    init(tool: String, nodeBinary: String, validators: Int, funding: [Address], workDir: String?, keep: Bool) throws {
        guard FileManager.default.isExecutableFile(atPath: tool) else {
            throw BenchError("no tools/testnet at \(tool): run the bench from the repository's build (.build/release) or give --testnet-tool PATH")
        }
        self.tool = tool
        startedByBench = true
        removeDir = !keep
        let parent = try workDir.map { w -> String in
            try FileManager.default.createDirectory(atPath: w, withIntermediateDirectories: true)
            return w
        } ?? NodeProcess.makeTemporaryDirectory()
        dir = parent + "/testnet"
        guard !FileManager.default.fileExists(atPath: dir) else {
            throw BenchError("\(dir) already exists: give an empty --workdir, or --testnet-dir \(dir) to use a testnet running there")
        }
        Interruption.shared.guardNode("testnet", pid: nil, pidFile: pidFile, folder: keep ? nil : parent)
        let allocFile = parent + "/bench-accounts.txt"
        guard FileManager.default.createFile(atPath: allocFile, contents: Data(funding.map { $0.hex + "\n" }.joined().utf8)) else {
            throw BenchError("cannot write \(allocFile)")
        }
        let (rpcBase, p2pBase) = try Testnet.freePortBases(count: validators)
        note("starting a \(validators)-validator testnet in \(dir) (JSON-RPC ports from \(rpcBase), P2P from \(p2pBase)) with \(funding.count) funded bench accounts")
        let env = ["QUORATE_TESTNET_DIR": dir, "QUORATE_RPC_BASE_PORT": String(rpcBase), "QUORATE_P2P_BASE_PORT": String(p2pBase),
                   "QUORATE_TESTNET_BIN": (nodeBinary as NSString).deletingLastPathComponent]
        let out: ToolRunner.Output
        do {
            out = try ToolRunner.run("/bin/bash", Testnet.closingInheritedFiles + [tool, "up", "--validators", String(validators), "--accounts", "1", "--alloc-file", allocFile],
                                     timeoutS: Testnet.upTimeoutS, environment: env)
        } catch {
            stop()
            throw BenchError("the testnet failed to start: \(error)")
        }
        guard out.status == 0 else {
            let logs = (0..<validators).map { "node\($0): " + Testnet.tail(dir + "/node\($0)/node.log") }.joined(separator: "\n")
            stop()
            throw BenchError("the testnet failed to start (tools/testnet up exit \(out.status)): \(Testnet.lastLines(out.stderr + out.stdout))\n\(logs)")
        }
        try readMembers()
    }

    /// A testnet already running in `dir` (started with `tools/testnet up`); left running.
    init(runningIn dir: String, tool: String) throws {
        self.tool = tool
        self.dir = (dir as NSString).standardizingPath
        startedByBench = false
        removeDir = false
        try readMembers()
    }

    /// The nodes from the folder: pids in `pids` (node order), ports in `nodeI/rpc.port`.
    private func readMembers() throws {
        let pids = Interruption.readPids(pidFile)
        guard !pids.isEmpty else {
            throw BenchError("no running testnet in \(dir) (no pids file): start one with `tools/testnet up`, or omit --testnet-dir and let the bench start one")
        }
        members = try pids.enumerated().map { i, pid in
            let dataDir = "\(dir)/node\(i)"
            guard kill(pid, 0) == 0,
                  let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                  String(decoding: cmdline, as: UTF8.self).contains("--datadir\u{0}\(dataDir)\u{0}") else {
                throw BenchError("node\(i) of the testnet in \(dir) (pid \(pid)) is not running: restart the testnet (tools/testnet down; tools/testnet up)")
            }
            guard let text = try? String(contentsOfFile: dataDir + "/rpc.port", encoding: .utf8),
                  let port = UInt16(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw BenchError("cannot read \(dataDir)/rpc.port: is \(dir) a folder of tools/testnet?")
            }
            return Member(name: "node\(i)", url: "http://127.0.0.1:\(port)", pid: pid, dataDir: dataDir)
        }
        for m in members { try Reachability.check(m.url) }
    }

    var allRunning: Bool { members.allSatisfy { kill($0.pid, 0) == 0 } }

    /// Stops a testnet the bench started (`tools/testnet down`) and removes its folder unless
    /// `--keep`; a testnet found running is left alone.
    func stop() {
        guard startedByBench, !stopped, !Interruption.shared.isInterrupted else { return }
        stopped = true
        let out = try? ToolRunner.run(tool, ["down"], timeoutS: Testnet.downTimeoutS, environment: ["QUORATE_TESTNET_DIR": dir])
        if out?.status != 0 { note("tools/testnet down failed: \(Testnet.lastLines((out?.stderr ?? "") + (out?.stdout ?? "")))") }
        Interruption.shared.guardNode("testnet", pid: nil, folder: nil)
        let parent = (dir as NSString).deletingLastPathComponent
        if removeDir {
            try? FileManager.default.removeItem(atPath: parent)
        } else {
            note("kept the testnet in \(dir); start it again with QUORATE_TESTNET_DIR=\(dir) \(tool) up (a new chain) or inspect its data there")
        }
    }

    /// `bash -c SCRIPT TOOL ARGS...` that closes every inherited descriptor above stderr, then
    /// execs TOOL. Foundation's `Process` leaves descriptors of its own open in the child; the
    /// nodes `tools/testnet up` leaves running in the background would inherit them and the bench
    /// would never see `up` end (its `bash` stays an unreaped zombie).
    static let closingInheritedFiles = ["-c", #"for fd in /proc/$$/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done; exec "$0" "$@""#]

    /// Two port bases, each followed by `count` ports free on 127.0.0.1 (checked by binding).
    static func freePortBases(count: Int) throws -> (Int, Int) {
        var found = [Int]()
        for _ in 0..<portAttempts where found.count < 2 {
            let base = Int.random(in: portRange)
            let ports = base..<(base + count)
            if ports.allSatisfy(portIsFree), !found.contains(where: { ports.overlaps($0..<($0 + count)) }) { found.append(base) }
        }
        guard found.count == 2 else {
            throw BenchError("cannot find \(count) free consecutive ports on 127.0.0.1 in \(portRange) after \(portAttempts) tries")
        }
        return (found[0], found[1])
    }

    private static func portIsFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    static func lastLines(_ text: String, _ n: Int = 12) -> String {
        text.split(separator: "\n").suffix(n).joined(separator: "\n")
    }

    static func tail(_ path: String) -> String {
        lastLines(String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self), 5)
    }
}
