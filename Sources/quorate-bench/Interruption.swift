import Dispatch
import Foundation
import Synchronization

/// On SIGINT or SIGTERM: stops the nodes the bench started (they would outlive the bench
/// otherwise), removes their temporary folders unless `--keep`, and exits with 128 + the signal
/// number. Each started node (or testnet) registers what to clean up under its own name.
final class Interruption: Sendable {
    static let shared = Interruption()

    private struct Cleanup {
        var nodePids: [Int32] = []
        /// A file of pids (one per line) read at interruption time: the processes of a testnet
        /// whose `tools/testnet up` may still be starting them.
        var pidFile: String?
        var folder: String?
    }

    private let cleanups = Mutex([String: Cleanup]())
    private let flag = Flag()

    /// True once a signal arrived: the run stops, and the handler alone ends the process.
    var isInterrupted: Bool { flag.isSet }
    /// Returns the signal sources; the caller keeps them for the life of the process.
    func install() -> [DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [self] in interrupted(by: sig) }
            source.resume()
            return source
        }
    }

    /// What to clean up for `name` if interrupted now; nil and empty clear it.
    func guardNode(_ name: String = "node", pid: Int32?, pidFile: String? = nil, folder: String?) {
        cleanups.withLock { $0[name] = Cleanup(nodePids: pid.map { [$0] } ?? [], pidFile: pidFile, folder: folder) }
    }

    /// Called last by the main flow: after a signal, the handler exits once its cleanup is done.
    func exitUnlessInterrupted(_ status: Int32) -> Never {
        while isInterrupted { sleep(1) }
        exit(status)
    }

    private func interrupted(by sig: Int32) -> Never {
        flag.set()
        let all = cleanups.withLock { c in
            defer { c = [:] }
            return Array(c.values)
        }
        note("quorate-bench: interrupted; stopping")
        let pids = all.flatMap { c in c.nodePids + (c.pidFile.map(Interruption.readPids) ?? []) }
        for pid in pids { kill(pid, SIGTERM) }
        let deadline = Clock.monotonicNs() + 10_000_000_000
        while pids.contains(where: { kill($0, 0) == 0 }), Clock.monotonicNs() < deadline { usleep(20_000) }
        for pid in pids where kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        for folder in all.compactMap(\.folder) { try? FileManager.default.removeItem(atPath: folder) }
        exit(128 + sig)
    }

    static func readPids(_ file: String) -> [Int32] {
        ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").split(whereSeparator: \.isNewline).compactMap { Int32($0) }
    }
}
