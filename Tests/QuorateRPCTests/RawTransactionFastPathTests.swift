import QuorateCore
@testable import QuorateRPC
import Synchronization
import Testing

/// What a hook or observer saw (a class: a `Mutex` cannot be captured by an escaping closure).
final class SeenLog<T: Sendable>: Sendable {
    let entries = Mutex<[T]>([])
    var all: [T] { entries.withLock { $0 } }
    func append(_ entry: T) { entries.withLock { $0.append(entry) } }
}

@Suite("eth_sendRawTransaction fast path")
struct RawTransactionFastPathTests {
    /// What the node's handler does, reduced: a hash for a good transaction, a server error for
    /// one it refuses (first byte 0xff) or for nothing at all.
    static let submit: @Sendable ([UInt8]) throws -> JSON = { raw in
        guard let first = raw.first, first != 0xff else { throw RPCError.server("transaction refused: \(raw.count) bytes") }
        return .data(Hash32.keccak(raw).bytes)
    }

    /// A dispatcher as the node wires it (`fast`: with the data entry point), with a second
    /// method for mixed batches, and a log of what the batch hook saw.
    static func dispatcher(fast: Bool, maxBatchLength: Int = 1000, seen: SeenLog<[[UInt8]]>? = nil) -> RPCDispatcher {
        let d = RPCDispatcher(limits: .init(maxBatchLength: maxBatchLength))
        d.register("eth_sendRawTransaction") { p in
            try p.expectCount(1)
            return try submit(try p.bytes(at: 0))
        }
        if fast { d.registerData("eth_sendRawTransaction", submit) }
        d.register("eth_blockNumber") { _ in "0x10" }
        if let seen { d.onRawTransactionBatch { raws in seen.append(raws) } }
        return d
    }

    static func call(_ id: String, _ hex: String) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"eth_sendRawTransaction","params":["\#(hex)"]}"#
    }

    static let wellFormed: [String] = [
        call("1", "0x02f8ab01"),
        " \t\n{ \"params\" : [ \"0X02AbCd\" ] ,\"method\":\"eth_sendRawTransaction\", \"id\" : \"tx-7\",\"jsonrpc\":\"2.0\"}\r\n",
        "[" + [call("1", "0x02f8"), call("\"b\"", "0xff00"), call("-3", "0x"), call("1.50", "0x01"), call("2e3", "0x0a0b")].joined(separator: ",") + "]",
        "[ " + call("0", "0xdeadbeef") + " ]",
    ]

    static let fallingBack: [String] = [
        call("1", "0x123"), call("1", "0xzz"), call("1", "abcd"), call("1", "0x\\u0030\\u0031"), call("01", "0x01"),
        call("null", "0x01"), call("true", "0x01"), call("\"caf\u{e9}\"", "0x01"), call("1", "0x01") + "x",
        #"{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["0x01","0x02"]}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":[]}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":{"tx":"0x01"}}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":[["0x01"]]}"#,
        #"{"jsonrpc":"2.0","id":1,"id":2,"method":"eth_sendRawTransaction","params":["0x01"]}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["0x01"],"extra":0}"#,
        #"{"jsonrpc":"1.0","id":1,"method":"eth_sendRawTransaction","params":["0x01"]}"#,
        #"{"jsonrpc":"2.0","method":"eth_sendRawTransaction","params":["0x01"]}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}"#,
        "[" + call("1", "0x01") + #",{"jsonrpc":"2.0","id":2,"method":"eth_blockNumber"}]"#,
        "[" + call("1", "0x01") + ",]", "[]", "[" + call("1", "0x01"), String(call("1", "0x01").dropLast()),
        "\u{feff}" + call("1", "0x01"), "", "   ", "[1,2,3]",
    ]

    static func answer(_ d: RPCDispatcher, _ body: String) -> String? {
        d.handle(Array(body.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }

    static func takesFastPath(_ body: String, maxBatchLength: Int = 1000) -> Bool {
        Array(body.utf8).withUnsafeBytes { RawTransactionRequests.read($0, maxBatchLength: maxBatchLength, limits: .standard) != nil }
    }

    @Test("well-formed requests and batches take the fast path and get byte for byte the general path's answers")
    func sameAnswersWhenFast() {
        let fast = Self.dispatcher(fast: true), general = Self.dispatcher(fast: false)
        for body in Self.wellFormed {
            #expect(Self.takesFastPath(body), "\(body)")
            let answer = Self.answer(fast, body)
            #expect(answer != nil && answer == Self.answer(general, body), "\(body)")
        }
    }

    @Test("malformed, unusual and mixed bodies fall back to the general path and get its answers and errors")
    func malformedFallsBack() {
        let fast = Self.dispatcher(fast: true), general = Self.dispatcher(fast: false)
        for body in Self.fallingBack {
            #expect(!Self.takesFastPath(body), "\(body)")
            #expect(Self.answer(fast, body) == Self.answer(general, body), "\(body)")
        }
    }

    @Test("a batch over the limit is refused as the general path refuses it; one at the limit is served")
    func batchLimit() {
        let fast = Self.dispatcher(fast: true, maxBatchLength: 2), general = Self.dispatcher(fast: false, maxBatchLength: 2)
        let two = "[" + Self.call("1", "0x01") + "," + Self.call("2", "0x02") + "]"
        let three = "[" + Self.call("1", "0x01") + "," + Self.call("2", "0x02") + "," + Self.call("3", "0x03") + "]"
        #expect(Self.takesFastPath(two, maxBatchLength: 2))
        #expect(!Self.takesFastPath(three, maxBatchLength: 2))
        #expect(Self.answer(fast, two) == Self.answer(general, two))
        let refused = Self.answer(fast, three)
        #expect(refused == Self.answer(general, three))
        #expect(refused?.contains("batch too large: 3 requests, the limit is 2") == true)
    }

    @Test("the batch hook sees the same decoded transactions whichever path read the batch")
    func hookSeesSameTransactions() {
        let fastSeen = SeenLog<[[UInt8]]>(), generalSeen = SeenLog<[[UInt8]]>()
        let fast = Self.dispatcher(fast: true, seen: fastSeen), general = Self.dispatcher(fast: false, seen: generalSeen)
        for body in Self.wellFormed + Self.fallingBack {
            _ = Self.answer(fast, body)
            _ = Self.answer(general, body)
        }
        let seen = fastSeen.all
        #expect(seen == generalSeen.all)
        #expect(seen.first == [[0x02, 0xf8], [0xff, 0x00], [], [0x01], [0x0a, 0x0b]])
    }

    @Test("every fast call is observed as the general path observes it")
    func callsObserved() {
        let log = SeenLog<String>()
        let fast = Self.dispatcher(fast: true)
        fast.observeCalls { method, _, failed in log.append("\(method) \(failed)") }
        _ = Self.answer(fast, Self.wellFormed[2])
        #expect(log.all == ["eth_sendRawTransaction false", "eth_sendRawTransaction true", "eth_sendRawTransaction true",
                                       "eth_sendRawTransaction false", "eth_sendRawTransaction false"])
    }
}
