import QuorateCLI
import QuorateCore
@testable import QuorateNode
import QuorateTestSupport
import Testing

@Suite("node logger")
struct NodeLoggerTests {
    @Test("a node reports through the logger it was given: a validator outside the set is told it only follows")
    func injected() throws {
        var dir = try NodeDirectory("logger", genesis: TestGenesis.genesis())
        defer { dir.remove() }
        let outsider = TestKeys.key(0x44)
        dir.config.validatorKey = outsider
        let memory = MemoryLog()
        let node = try Node(config: dir.config, logger: Logger(minimum: .info, sink: memory))
        #expect(node.logger.minimum == .info)
        let events = memory.events.filter { $0.module == "node" }
        try #require(events.count == 1)
        #expect(events[0].level == .info)
        #expect(events[0].message.contains("validator \(TestKeys.address(outsider)) is not in the current validator set"))
    }
}
