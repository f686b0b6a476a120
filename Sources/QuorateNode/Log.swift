import Foundation
import QuorateRPC
import Synchronization

/// The node's structured log on standard error: one event per line, with a UTC timestamp, a
/// level, the module that speaks, a message a person can read, and key=value fields.
///
///     text: 2026-12-05T14:18:22.123Z INFO  consensus: round summary height=812 rounds=2 ...
///     json: {"ts":"2026-12-05T14:18:22.123Z","level":"info","module":"consensus","msg":"round summary","height":"812",...}
///
/// Set once at start from `--log-format text|json` and `--log-level debug|info|warn|error`.
public enum Log {
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
            guard let level = Level.allCases.first(where: { $0.name == text.lowercased() }) ?? (text.lowercased() == "warning" ? .warn : nil) else {
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

    private static let settings = Mutex<(format: Format, level: Level)>((.text, .info))
    /// One writer at a time, so concurrent events never interleave within a line.
    private static let output = Mutex(())

    public static func configure(format: Format, level: Level) {
        settings.withLock { $0 = (format, level) }
    }

    public static func enabled(_ level: Level) -> Bool { level >= settings.withLock { $0.level } }

    public static func debug(_ module: String, _ message: String, _ fields: [(String, String)] = []) { event(.debug, module, message, fields) }
    public static func info(_ module: String, _ message: String, _ fields: [(String, String)] = []) { event(.info, module, message, fields) }
    public static func warn(_ module: String, _ message: String, _ fields: [(String, String)] = []) { event(.warn, module, message, fields) }
    public static func error(_ module: String, _ message: String, _ fields: [(String, String)] = []) { event(.error, module, message, fields) }

    public static func event(_ level: Level, _ module: String, _ message: String, _ fields: [(String, String)] = []) {
        let (format, minimum) = settings.withLock { $0 }
        guard level >= minimum else { return }
        let line = render(format: format, timeMs: UInt64(Date().timeIntervalSince1970 * 1000), level: level,
                          module: module, message: message, fields: fields)
        output.withLock { _ in FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    /// A line from the peers layer ("p2p: connected ..."): module p2p; hold-offs, refusals and
    /// drops are warnings, the rest information.
    static func p2pLine(_ line: String) {
        let message = line.hasPrefix("p2p: ") ? String(line.dropFirst(5)) : line
        let warning = ["holding off", "refused", "rejected", "dropped", "failed"].contains { message.hasPrefix($0) || message.contains(" \($0) ") }
        event(warning ? .warn : .info, "p2p", message)
    }

    /// One event as a line, without the newline.
    static func render(format: Format, timeMs: UInt64, level: Level, module: String, message: String, fields: [(String, String)]) -> String {
        let ts = timestamp(ms: timeMs)
        switch format {
        case .text:
            let levelText = level.name.uppercased().padding(toLength: 5, withPad: " ", startingAt: 0)
            let rest = fields.map { " \($0.0)=\(quoted($0.1))" }.joined()
            return "\(ts) \(levelText) \(module): \(message)\(rest)"
        case .json:
            var members: [(key: String, value: JSON)] = [("ts", .string(ts)), ("level", .string(level.name)),
                                                         ("module", .string(module)), ("msg", .string(message))]
            for (key, value) in fields where !["ts", "level", "module", "msg"].contains(key) {
                members.append((key, .string(value)))
            }
            return String(decoding: JSON.object(members).serialized(), as: UTF8.self)
        }
    }

    /// Values with spaces, quotes or `=` are quoted so a line splits back into its fields.
    static func quoted(_ value: String) -> String {
        let plain = !value.isEmpty && !value.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\n" || $0 == "\\" }
        guard !plain else { return value }
        var out = "\""
        for c in value {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out + "\""
    }

    /// RFC 3339 UTC with milliseconds, from the civil-from-days algorithm (no formatter, no locale).
    static func timestamp(ms: UInt64) -> String {
        let seconds = Int64(ms / 1000)
        let days = seconds / 86_400
        let secondOfDay = seconds % 86_400
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let millis = ms % 1000
        let msText = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(year)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)).\(msText)Z"
    }
}
