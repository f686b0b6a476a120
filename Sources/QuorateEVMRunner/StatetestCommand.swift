import Foundation
import QuorateEVM

/// `quorate-evm statetest`: finds the files, runs every case, prints the results.
public struct StatetestCommand {
    public let options: StatetestOptions
    /// Results and the summary (stdout).
    let out: (String) -> Void
    /// Progress and traces (stderr).
    let err: (String) -> Void

    public init(_ options: StatetestOptions, out: @escaping (String) -> Void, err: @escaping (String) -> Void) {
        self.options = options
        self.out = out
        self.err = err
    }

    public struct Summary: Equatable, Sendable {
        public var passed = 0
        public var failed = 0
        public var skipped = 0
        public var line: String { "\(passed) passed, \(failed) failed, \(skipped) skipped" }

        mutating func count(_ verdict: CaseResult.Verdict) {
            switch verdict {
            case .pass: passed += 1
            case .fail: failed += 1
            case .skipped: skipped += 1
            }
        }
    }

    static let defaultSkipFile = "Tests/Fixtures/evm-runner/skip.txt"

    /// The process exit status: 0 when nothing failed, 1 otherwise.
    public func run() -> Int32 {
        var summary = Summary()
        // Keyed by the first component of the file's name ("stExample", "Pyspecs").
        var byFolder: [String: Summary] = [:]
        let skipList: SkipList
        do {
            skipList = try loadSkipList()
        } catch {
            err("quorate-evm: \(error)")
            return 2
        }
        var files: [StateTestFile] = []
        for path in options.paths {
            if let found = StateTestFiles.find(path), !found.isEmpty {
                files += found
            } else {
                out("no state tests at \(path): skipped")
            }
        }
        let runner = StateTestRunner(fork: options.fork, skipList: skipList)
        let tracer: TraceWriter? = options.trace ? TraceWriter(write: err) : nil
        var progress = Progress(total: files.count, report: err)
        for file in files {
            let results: [CaseResult]
            do {
                let tests = try StateTestLoader.load(path: file.path, displayName: file.displayName, fork: options.fork)
                results = tests.flatMap { runner.run($0, file: file.displayName, tracer: tracer) }
            } catch {
                summary.failed += 1
                byFolder[Self.folder(of: file), default: Summary()].failed += 1
                out("{\"file\":\(JSONText.quote(file.displayName)),\"pass\":false,\"error\":\(JSONText.quote("\(error)"))}")
                progress.fileDone(cases: 0)
                continue
            }
            for r in results {
                summary.count(r.verdict)
                byFolder[Self.folder(of: file), default: Summary()].count(r.verdict)
                if !options.quiet || r.verdict == .fail { out(r.jsonLine(file: file.displayName)) }
            }
            progress.fileDone(cases: results.count)
        }
        progress.finish()
        if options.folders {
            for folder in byFolder.keys.sorted() { out("\(folder): \(byFolder[folder]!.line)") }
        }
        out(summary.line)
        return summary.failed == 0 ? 0 : 1
    }

    static func folder(of file: StateTestFile) -> String {
        String(file.displayName.split(separator: "/").first ?? Substring(file.displayName))
    }

    func loadSkipList() throws -> SkipList {
        let path = options.skipFile ?? StatetestCommand.defaultSkipFile
        guard let data = FileManager.default.contents(atPath: path) else {
            if options.skipFile != nil { throw UsageError("skip file \(path) cannot be read") }
            return SkipList()
        }
        return try SkipList(text: String(decoding: data, as: UTF8.self), source: path)
    }
}

/// Files done and cases per second on stderr every few seconds, for runs long enough to need
/// it. The clock only paces these lines; no result depends on it.
struct Progress {
    let total: Int
    let report: (String) -> Void
    let clock = ContinuousClock()
    let start: ContinuousClock.Instant
    var lastReport: ContinuousClock.Instant
    var files = 0
    var cases = 0

    init(total: Int, report: @escaping (String) -> Void) {
        self.total = total
        self.report = report
        start = clock.now
        lastReport = start
    }

    mutating func fileDone(cases n: Int) {
        files += 1
        cases += n
        let now = clock.now
        if now - lastReport >= .seconds(5) {
            lastReport = now
            report("statetest: \(files)/\(total) files, \(cases) cases, \(rate(now)) cases/s")
        }
    }

    func finish() {
        let now = clock.now
        if now - start >= .seconds(5) {
            report("statetest: \(files)/\(total) files, \(cases) cases in \(seconds(now - start)) s, \(rate(now)) cases/s")
        }
    }

    private func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    private func rate(_ now: ContinuousClock.Instant) -> Int {
        let s = seconds(now - start)
        return s > 0 ? Int(Double(cases) / s) : 0
    }
}
