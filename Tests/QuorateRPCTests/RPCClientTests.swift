import Glibc
import Testing
@testable import QuorateRPC

@Suite("JSON-RPC client")
struct RPCClientTests {
    @Test("an answer over the JSON parser's 5 MiB request limit but within the client's read limit parses")
    func largeAnswerParses() throws {
        let size = JSONParser.Limits.defaultMaxInputBytes + (1 << 20)
        #expect(size < RPCClient.maxResponseBytes)
        let dispatcher = makeTestDispatcher()
        dispatcher.register("big") { _ in .string(String(repeating: "a", count: size)) }
        try withTestServer(dispatcher: dispatcher) { port in
            let answer = try RPCClient(url: "http://127.0.0.1:\(port)").call("big", [])
            #expect(answer.stringValue?.utf8.count == size)
        }
    }

    @Test("a node that takes the connection and never answers gives a stall error, not a hang")
    func stalledNodeTimesOut() throws {
        // A listening socket that never accepts: the kernel completes the handshake and buffers
        // the request, and no answer ever comes.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        #expect(bound && listen(fd, 4) == 0)
        let client = try RPCClient(url: "http://127.0.0.1:\(UInt16(bigEndian: addr.sin_port))", ioTimeoutSeconds: 1)
        let error = #expect(throws: RPCClient.ClientError.self) { try client.call("eth_blockNumber", []) }
        #expect(error?.description.contains("sent no answer for 1 s: the node is stalled") == true)
    }
}
