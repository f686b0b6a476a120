import QuorateCore
import Testing
@testable import QuorateP2P

@Suite struct NetworkMetricsTests {
    @Test("every wire message type has its own metric label, so none is counted as another")
    func everyWireMessageHasALabel() {
        let messages: [WireMessage] = [
            .transactions([]), .consensus([]), .status(height: 1), .getBlocks(start: 1, count: 1),
            .blocks([]), .poolHashes([]), .getPoolTransactions([]), .goodbye(.duplicateConnection),
        ]
        for message in messages {
            #expect(NetworkMetrics.messageTypes.contains(message.name), "\(message.name) has no label")
        }
    }

    @Test("a message name outside the list counts as other")
    func unknownNameCountsAsOther() {
        let metrics = NetworkMetrics()
        metrics.message(.inbound, "noSuchMessage", bytes: 10)
        let snapshot = metrics.snapshot()
        let other = NetworkMetrics.messageTypes.firstIndex(of: "other")!
        #expect(snapshot.messages[0][other] == 1)
        #expect(snapshot.messages[0][0] == 0)
    }
}
