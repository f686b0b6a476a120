import Dispatch
import Foundation
import Synchronization

/// On SIGINT or SIGTERM: stops the node the bench started (it would outlive the bench otherwise),
/// removes its temporary folder unless `--keep`, and exits with 128 + the signal number.
final class Interruption: Sendable {
    static let shared = Interruption()

    private struct Cleanup {
        var nodePid: Int32?
        var folder: String?
    }

    private let cleanup = Mutex(Cleanup())
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

    /// What to clean up if interrupted now; nil clears it.
    func guardNode(pid: Int32?, folder: String?) {
        cleanup.withLock { $0 = Cleanup(nodePid: pid, folder: folder) }
    }

    /// Called last by the main flow: after a signal, the handler exits once its cleanup is done.
    func exitUnlessInterrupted(_ status: Int32) -> Never {
        while isInterrupted { sleep(1) }
        exit(status)
    }

    private func interrupted(by sig: Int32) -> Never {
        flag.set()
        let c = cleanup.withLock { c in
            defer { c = Cleanup() }
            return c
        }
        note("quorate-bench: interrupted; stopping")
        if let pid = c.nodePid {
            kill(pid, SIGTERM)
            let deadline = Clock.monotonicNs() + 10_000_000_000
            while kill(pid, 0) == 0, Clock.monotonicNs() < deadline { usleep(20_000) }
            kill(pid, SIGKILL)
        }
        if let folder = c.folder { try? FileManager.default.removeItem(atPath: folder) }
        exit(128 + sig)
    }
}
