@testable import QuorateCLI
import Testing

@Suite("structured log")
struct LogTests {
    @Test("a text event is one line: timestamp, level, module, message, then key=value fields quoted when needed")
    func textLine() {
        let line = LogLine.render(format: .text, timeMs: 1_764_944_302_123, event: LogEvent(
            level: .info, module: "consensus", message: "round summary", fields: [("height", "812"), ("voted", "a b")]))
        #expect(line == #"2025-12-05T14:18:22.123Z INFO  consensus: round summary height=812 voted="a b""#)
    }

    @Test("a JSON event carries ts, level, module, msg and the fields, with the message escaped")
    func jsonLine() {
        let line = LogLine.render(format: .json, timeMs: 0, event: LogEvent(
            level: .warn, module: "p2p", message: "say \"hi\"\n", fields: [("peer", "02ab")]))
        #expect(line == #"{"ts":"1970-01-01T00:00:00.000Z","level":"warn","module":"p2p","msg":"say \"hi\"\n","peer":"02ab"}"#)
        #expect(!line.contains("\n"))
    }

    @Test("timestamps are UTC civil dates, leap years included")
    func timestamps() {
        #expect(LogLine.timestamp(ms: 951_782_400_000) == "2000-02-29T00:00:00.000Z")
        #expect(LogLine.timestamp(ms: 4_102_444_799_999) == "2099-12-31T23:59:59.999Z")
    }

    @Test("--log-level and --log-format take the documented words and refuse others with the choices")
    func parsing() throws {
        #expect(try Logger.Level(parsing: "WARN") == .warn)
        #expect(try Logger.Format(parsing: "json") == .json)
        #expect(throws: CommandLineArguments.UsageError.self) { try Logger.Level(parsing: "loud") }
        #expect(throws: CommandLineArguments.UsageError.self) { try Logger.Format(parsing: "xml") }
    }
}

@Suite("logger")
struct LoggerTests {
    @Test("events under the logger's level never reach its sink; the others arrive in order with their fields")
    func levels() {
        let memory = MemoryLog()
        let logger = Logger(minimum: .warn, sink: memory)
        logger.debug("node", "quiet")
        logger.info("node", "still quiet")
        logger.warn("p2p", "dropped", [("peer", "02ab")])
        logger.error("node", "disk full")
        #expect(memory.events.map(\.message) == ["dropped", "disk full"])
        #expect(memory.events.map(\.level) == [.warn, .error])
        #expect(memory.events[0].module == "p2p" && memory.events[0].fields.map(\.1) == ["02ab"])
        #expect(!logger.enabled(.info) && logger.enabled(.warn))
    }

    @Test("a peer-layer line loses its p2p prefix and is a warning when it holds off, refuses, rejects, drops or fails")
    func peerLines() {
        let memory = MemoryLog()
        let logger = Logger(minimum: .debug, sink: memory)
        logger.p2pLine("p2p: connected to 02ab")
        logger.p2pLine("p2p: holding off 02ab for 5 s")
        logger.p2pLine("p2p: session with 02ab dropped after 3 errors")
        #expect(memory.events.map(\.message) == ["connected to 02ab", "holding off 02ab for 5 s", "session with 02ab dropped after 3 errors"])
        #expect(memory.events.map(\.level) == [.info, .warn, .warn])
        #expect(memory.events.allSatisfy { $0.module == "p2p" })
    }
}
