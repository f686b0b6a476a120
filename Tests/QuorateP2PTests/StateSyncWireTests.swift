import QuorateCore
import Testing
@testable import QuorateP2P

@Suite("state-sync wire messages")
struct StateSyncWireTests {
    static let limits = WireMessage.Limits(maxTransactions: 1000, maxBlocks: 64)

    @Test("stateRequest (0x0a) and stateResponse (0x0b) are lists of byte strings that round-trip")
    func roundTrip() throws {
        let request = WireMessage.stateRequest([[2], [UInt8](repeating: 7, count: 32)])
        #expect(request.encoded() == [0x0a, 0, 0, 0, 2, 0, 0, 0, 1, 2, 0, 0, 0, 32] + [UInt8](repeating: 7, count: 32))
        #expect(try WireMessage.decode(request.encoded(), limits: Self.limits) == request)
        let response = WireMessage.stateResponse([[2], [], [1, 2, 3]])
        #expect(response.encoded().first == 0x0b)
        #expect(try WireMessage.decode(response.encoded(), limits: Self.limits) == response)
    }

    @Test("a state-sync message with more items than the bound is refused before they are read")
    func bounded() {
        var bytes: [UInt8] = [8]
        bytes.appendBigEndian(UInt32(WireMessage.maxStateItems + 1))
        #expect(throws: WireMessage.DecodingError.self) { try WireMessage.decode(bytes, limits: Self.limits) }
    }
}
