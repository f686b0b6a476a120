import Foundation

/// Runs a short command (keygen, genesis, init) to completion within a time limit.
enum ToolRunner {
    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// `environment`: variables added to the bench's own.
    static func run(_ executable: String, _ arguments: [String], timeoutS: Double, environment: [String: String] = [:]) throws -> Output {
        let outPath = NSTemporaryDirectory() + "quorate-bench-\(getpid())-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: outPath + ".out", contents: nil),
              FileManager.default.createFile(atPath: outPath + ".err", contents: nil) else {
            throw BenchError("cannot write temporary files in \(NSTemporaryDirectory())")
        }
        defer {
            try? FileManager.default.removeItem(atPath: outPath + ".out")
            try? FileManager.default.removeItem(atPath: outPath + ".err")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: outPath + ".out")
        process.standardError = FileHandle(forWritingAtPath: outPath + ".err")
        do { try process.run() } catch {
            throw BenchError("cannot run \(executable): \(error)")
        }
        let deadline = Clock.monotonicNs() + UInt64(timeoutS * 1e9)
        while process.isRunning {
            if Clock.monotonicNs() > deadline {
                process.terminate()
                process.waitUntilExit()
                throw BenchError("\((executable as NSString).lastPathComponent) \(arguments.first ?? "") did not finish within \(Int(timeoutS)) s")
            }
            usleep(10_000)
        }
        let read = { (path: String) in String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) }
        return Output(status: process.terminationStatus, stdout: read(outPath + ".out"), stderr: read(outPath + ".err"))
    }

    /// Runs and throws with the tool's own message when it fails.
    static func check(_ executable: String, _ arguments: [String], timeoutS: Double = 120) throws -> String {
        let out = try run(executable, arguments, timeoutS: timeoutS)
        guard out.status == 0 else {
            throw BenchError("\((executable as NSString).lastPathComponent) \(arguments.first ?? "") failed (exit \(out.status)): \(out.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return out.stdout
    }
}
