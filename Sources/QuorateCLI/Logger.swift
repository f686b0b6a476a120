import Foundation
import Synchronization

/// The log a process hands to everything that speaks: the node and its parts never write to a
/// global, so a test or the whole-node simulator gives them a logger that keeps or drops events.
///
/// Each event has a level, the module that speaks, a message a person can read, and key=value
/// fields. What becomes of it is the sink's business (`StandardErrorLog` writes the node's
/// `--log-format text|json` lines); events under `minimum` never reach the sink.
public struct Logger: Sendable {
    public enum Level: Int, Comparable, Sendable, CaseIterable {
        case debug, info, warn, error

        public var name: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .warn: "warn"
            case .error: "error"
            }
        }

        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }

        public init(parsing text: String) throws {
            let word = text.lowercased() == "warning" ? "warn" : text.lowercased()
            guard let level = Level.allCases.first(where: { $0.name == word }) else {
                throw CommandLineArguments.UsageError("--log-level \(text): expected debug, info, warn or error")
            }
            self = level
        }
    }

    public enum Format: String, Sendable {
        case text, json

        public init(parsing text: String) throws {
            guard let format = Format(rawValue: text.lowercased()) else {
                throw CommandLineArguments.UsageError("--log-format \(text): expected text or json")
            }
            self = format
        }
    }

    public let minimum: Level
    public let sink: any LogSink

    public init(minimum: Level, sink: any LogSink) {
        self.minimum = minimum
        self.sink = sink
    }

    /// Text or JSON lines on standard error, stamped with the wall clock.
    public static func standardError(format: Format = .text, level: Level = .info) -> Logger {
        Logger(minimum: level, sink: StandardErrorLog(format: format))
    }

    /// Drops every event: for tests and tools that have nothing to say.
    public static let silent = Logger(minimum: .error, sink: DiscardedLog())

    public func enabled(_ level: Level) -> Bool { level >= minimum }

    public func debug(_ module: String, _ message: String, _ fields: [(String, String)] = []) { event(.debug, module, message, fields) }
    public func info(_ module: String, _ message: String, _ fields: [(String, String)] = []) { event(.info, module, message, fields) }
    public func warn(_ module: String, _ message: String, _ fields: [(String, String)] = []) { event(.warn, module, message, fields) }
    public func error(_ module: String, _ message: String, _ fields: [(String, String)] = []) { event(.error, module, message, fields) }

    public func event(_ level: Level, _ module: String, _ message: String, _ fields: [(String, String)] = []) {
        guard enabled(level) else { return }
        sink.write(LogEvent(level: level, module: module, message: message, fields: fields))
    }

    /// A line from the peers layer ("p2p: connected ..."), which reports in plain lines: module
    /// p2p; hold-offs, refusals and drops are warnings, the rest information.
    public func p2pLine(_ line: String) {
        let message = line.hasPrefix("p2p: ") ? String(line.dropFirst(5)) : line
        let warning = ["holding off", "refused", "rejected", "dropped", "failed"].contains { message.hasPrefix($0) || message.contains(" \($0) ") }
        event(warning ? .warn : .info, "p2p", message)
    }
}

public struct LogEvent: Sendable {
    public let level: Logger.Level
    public let module: String
    public let message: String
    public let fields: [(String, String)]

    public init(level: Logger.Level, module: String, message: String, fields: [(String, String)]) {
        self.level = level
        self.module = module
        self.message = message
        self.fields = fields
    }
}

/// Where a `Logger`'s events go. Called from any thread.
public protocol LogSink: Sendable {
    func write(_ event: LogEvent)
}

public struct DiscardedLog: LogSink {
    public init() {}
    public func write(_ event: LogEvent) {}
}

/// Keeps events in memory, in order: a test reads what a part logged, and a simulated node's log
/// stays out of the terminal.
public final class MemoryLog: LogSink {
    private let kept = Mutex<[LogEvent]>([])

    public init() {}

    public func write(_ event: LogEvent) { kept.withLock { $0.append(event) } }

    public var events: [LogEvent] { kept.withLock { $0 } }
}
