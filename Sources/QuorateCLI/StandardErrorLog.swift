import Foundation
import QuorateRPC
import Synchronization

/// The node's structured log on standard error: one event per line, with a UTC timestamp.
///
///     text: 2026-12-05T14:18:22.123Z INFO  consensus: round summary height=812 rounds=2 ...
///     json: {"ts":"2026-12-05T14:18:22.123Z","level":"info","module":"consensus","msg":"round summary","height":"812",...}
public struct StandardErrorLog: LogSink {
    /// One writer at a time across every logger of the process, so concurrent events never
    /// interleave within a line.
    private static let output = Mutex(())

    public let format: Logger.Format
    let clockMs: @Sendable () -> UInt64

    public init(format: Logger.Format, clockMs: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1000) }) {
        self.format = format
        self.clockMs = clockMs
    }

    public func write(_ event: LogEvent) {
        let line = LogLine.render(format: format, timeMs: clockMs(), event: event)
        Self.output.withLock { _ in FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
}

/// One event as a line of text or JSON, without the newline.
public enum LogLine {
    public static func render(format: Logger.Format, timeMs: UInt64, event: LogEvent) -> String {
        let ts = timestamp(ms: timeMs)
        switch format {
        case .text:
            let levelText = event.level.name.uppercased().padding(toLength: 5, withPad: " ", startingAt: 0)
            let rest = event.fields.map { " \($0.0)=\(quoted($0.1))" }.joined()
            return "\(ts) \(levelText) \(event.module): \(event.message)\(rest)"
        case .json:
            var members: [(key: String, value: JSON)] = [("ts", .string(ts)), ("level", .string(event.level.name)),
                                                         ("module", .string(event.module)), ("msg", .string(event.message))]
            for (key, value) in event.fields where !["ts", "level", "module", "msg"].contains(key) {
                members.append((key, .string(value)))
            }
            return String(decoding: JSON.object(members).serialized(), as: UTF8.self)
        }
    }

    /// Values with spaces, quotes or `=` are quoted so a line splits back into its fields.
    static func quoted(_ value: String) -> String {
        let plain = !value.isEmpty && !value.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\n" || $0 == "\\" }
        return plain ? value : "\"" + MetricsText.escapeLabel(value) + "\""
    }

    /// RFC 3339 UTC with milliseconds, from the civil-from-days algorithm (no formatter, no locale).
    public static func timestamp(ms: UInt64) -> String {
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
