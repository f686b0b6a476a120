import Testing
@testable import QuorateRPC

@Suite("JSON-RPC 2.0 dispatch")
struct RPCDispatcherTests {
    let dispatcher = makeTestDispatcher()

    /// Sends `body` as an HTTP body would arrive and parses the answer; nil when there is none.
    private func send(_ body: String, admin: Bool = false, to dispatcher: RPCDispatcher? = nil) throws -> JSON? {
        let d = dispatcher ?? self.dispatcher
        guard let reply = d.handle(Array(body.utf8), context: RPCCallContext(isAdminAuthorized: admin)) else { return nil }
        return try JSONParser.parse(reply)
    }

    private func error(_ json: JSON?) -> (code: Int?, message: String?) {
        (json?["error"]?["code"]?.numberValue?.int64Value.map(Int.init), json?["error"]?["message"]?.stringValue)
    }

    @Test("a single request gets jsonrpc, its id and the result, in that order")
    func single() throws {
        let reply = try send(#"{"jsonrpc":"2.0","id":7,"method":"add","params":["0x2","0x3"]}"#)
        #expect(reply?.serializedText == #"{"jsonrpc":"2.0","id":7,"result":"0x5"}"#)
    }

    @Test("ids are echoed as given: big number, string, null")
    func idsEchoed() throws {
        for id in ["123456789012345678901234567890", #""abc""#, "null", "-1.5"] {
            let reply = try send(#"{"jsonrpc":"2.0","id":\#(id),"method":"echo"}"#)
            #expect(reply?["id"]?.serializedText == id)
        }
    }

    @Test("params may be absent or null (no arguments)")
    func absentParams() throws {
        #expect(try send(#"{"jsonrpc":"2.0","id":1,"method":"echo"}"#)?["result"] == [])
        #expect(try send(#"{"jsonrpc":"2.0","id":1,"method":"echo","params":null}"#)?["result"] == [])
    }

    @Test("malformed JSON gets -32700 with id null")
    func parseError() throws {
        let reply = try send(#"{"jsonrpc":"2.0","id":1,"method":"echo""#)
        #expect(error(reply).code == -32700)
        #expect(error(reply).message?.hasPrefix("parse error: invalid JSON at byte") == true)
        #expect(reply?["id"] == .null)
    }

    @Test("a message that is not an object or array gets -32600")
    func nonObject() throws {
        #expect(error(try send("42")).code == -32600)
        #expect(error(try send(#""echo""#)).message == "invalid request: expected a request object or a batch array, got string")
    }

    @Test("invalid request objects get -32600 even without an id", arguments: [
        (#"{"id":1,"method":"echo"}"#, #"invalid request: jsonrpc must be "2.0""#),
        (#"{"jsonrpc":"1.0","id":1,"method":"echo"}"#, #"invalid request: jsonrpc must be "2.0""#),
        (#"{"jsonrpc":"2.0","id":1}"#, "invalid request: method must be a string"),
        (#"{"jsonrpc":"2.0","method":5}"#, "invalid request: method must be a string"),
        (#"{"jsonrpc":"2.0","id":{},"method":"echo"}"#, "invalid request: id must be a string, a number or null"),
        (#"{"jsonrpc":"2.0","id":1,"method":"echo","params":"x"}"#, "invalid request: params must be an array, got string"),
    ])
    func invalidRequests(body: String, expected: String) throws {
        let reply = try send(body)
        #expect(error(reply).code == -32600)
        #expect(error(reply).message == expected)
    }

    @Test("an unknown method gets -32601 with geth's message")
    func methodNotFound() throws {
        let reply = try send(#"{"jsonrpc":"2.0","id":1,"method":"eth_mine"}"#)
        #expect(error(reply).code == -32601)
        #expect(error(reply).message == "the method eth_mine does not exist/is not available")
    }

    @Test("wrong params get -32602 with the accessor's message; by-name params are refused")
    func invalidParams() throws {
        let wrong = try send(#"{"jsonrpc":"2.0","id":1,"method":"add","params":["0x1","2"]}"#)
        #expect(error(wrong).code == -32602)
        #expect(error(wrong).message == "invalid argument 1: hex string without 0x prefix")
        let byName = try send(#"{"jsonrpc":"2.0","id":1,"method":"add","params":{"a":"0x1"}}"#)
        #expect(error(byName).code == -32602)
    }

    @Test("handler errors: RPCError as thrown, convertible errors mapped, others become -32000")
    func handlerErrors() throws {
        let thrown = try send(#"{"jsonrpc":"2.0","id":1,"method":"nonce_too_low"}"#)
        #expect(error(thrown).code == -32000 && error(thrown).message == "nonce too low")
        let converted = try send(#"{"jsonrpc":"2.0","id":1,"method":"already_known"}"#)
        #expect(error(converted).message == "already known")
        let plain = try send(#"{"jsonrpc":"2.0","id":1,"method":"plain_error"}"#)
        #expect(error(plain).code == -32000 && error(plain).message == "disk on fire")
    }

    @Test("a notification runs but gets no response, even when it fails")
    func notifications() throws {
        let counter = CallCounter()
        let d = makeTestDispatcher(counter: counter)
        #expect(try send(#"{"jsonrpc":"2.0","method":"count"}"#, to: d) == nil)
        #expect(try send(#"{"jsonrpc":"2.0","method":"no_such_method"}"#, to: d) == nil)
        #expect(counter.value == 1)
    }

    @Test("a batch answers each call in order and skips notifications")
    func batch() throws {
        let reply = try send(#"""
            [{"jsonrpc":"2.0","id":1,"method":"add","params":["0x1","0x1"]},
             {"jsonrpc":"2.0","method":"count"},
             {"jsonrpc":"2.0","id":"x","method":"missing"},
             1]
            """#)
        let items = try #require(reply?.arrayValue)
        #expect(items.count == 3)
        #expect(items[0] == ["jsonrpc": "2.0", "id": 1, "result": "0x2"])
        #expect(items[1]["id"] == "x" && error(items[1]).code == -32601)
        #expect(items[2]["id"] == .null && error(items[2]).code == -32600)
    }

    @Test("an empty batch gets one -32600 error object, not an array")
    func emptyBatch() throws {
        let reply = try send("[]")
        #expect(reply?.serializedText == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"empty batch"}}"#)
    }

    @Test("a batch over the limit gets one 'batch too large' error carrying the first call's id")
    func batchTooLarge() throws {
        let d = makeTestDispatcher(limits: RPCDispatcher.Limits(maxBatchLength: 3))
        let call = { (id: Int) in #"{"jsonrpc":"2.0","id":\#(id),"method":"echo"}"# }
        let atLimit = try send("[" + (1...3).map(call).joined(separator: ",") + "]", to: d)
        #expect(atLimit?.arrayValue?.count == 3)
        let over = try send(#"[{"jsonrpc":"2.0","method":"count"},"# + (5...7).map(call).joined(separator: ",") + "]", to: d)
        let items = try #require(over?.arrayValue)
        #expect(items.count == 1)
        #expect(items[0]["id"] == 5)
        #expect(error(items[0]).code == -32600)
        #expect(error(items[0]).message == "batch too large: 4 requests, the limit is 3")
    }

    @Test("admin methods are refused with -32001 without authorization and run with it")
    func admin() throws {
        let call = #"{"jsonrpc":"2.0","id":1,"method":"admin_peers"}"#
        let refused = try send(call)
        #expect(error(refused).code == -32001)
        #expect(error(refused).message == "unauthorized: admin method requires the bearer token from /data/rpc.token")
        #expect(try send(call, admin: true)?["result"] == ["peer-1"])
    }

    /// `handleRequest` as the HTTP server calls it: the answer and whether it is a 401.
    private func outcome(_ body: String, admin: Bool = false) throws -> (json: JSON?, unauthorized: Bool) {
        let result = Array(body.utf8).withUnsafeBytes {
            dispatcher.handleRequest($0, context: RPCCallContext(isAdminAuthorized: admin))
        }
        return (try result.body.map { try JSONParser.parse($0) }, result.isUnauthorized)
    }

    @Test("the transport is told to refuse (401) only when every call is an unauthorized admin call")
    func unauthorizedOutcome() throws {
        let admin = #"{"jsonrpc":"2.0","id":1,"method":"admin_peers"}"#
        let plain = #"{"jsonrpc":"2.0","id":2,"method":"add","params":["0x1","0x2"]}"#
        let single = try outcome(admin)
        #expect(single.unauthorized)
        #expect(error(single.json).code == -32001)
        #expect(try outcome(admin, admin: true).unauthorized == false)
        #expect(try outcome(plain).unauthorized == false, "a method without admin needs no token")

        let allAdmin = try outcome("[\(admin),\(admin.replacingOccurrences(of: "\"id\":1", with: "\"id\":3"))]")
        #expect(allAdmin.unauthorized)
        #expect(allAdmin.json?.arrayValue?.map { error($0).code } == [-32001, -32001])

        // Mixed: the allowed call keeps its result, the admin one gets its error; not a 401.
        let mixed = try outcome("[\(admin),\(plain)]")
        #expect(!mixed.unauthorized)
        let items = try #require(mixed.json?.arrayValue)
        #expect(error(items[0]).code == -32001)
        #expect(items[1]["result"] == "0x3")

        // An admin notification without the token: nothing to answer, but still refused, with a body saying why.
        let notification = try outcome(#"{"jsonrpc":"2.0","method":"admin_peers"}"#)
        #expect(notification.unauthorized)
        #expect(notification.json?["id"] == .null)
        #expect(error(notification.json).message == "unauthorized: admin method requires the bearer token from /data/rpc.token")

        // A malformed request next to an admin call is a client error to report, not a 401.
        #expect(try outcome("[\(admin),{\"id\":4}]").unauthorized == false)
        #expect(try outcome("{").unauthorized == false)
    }

    @Test("registered names are listed sorted; direct calls use the same checks")
    func registry() {
        #expect(dispatcher.methodNames.first == "add")
        #expect(dispatcher.methodNames == dispatcher.methodNames.sorted())
        #expect(dispatcher.call("admin_peers", RPCParams([])) == .failure(RPCError(code: -32001, message: dispatcher.unauthorizedMessage)))
        #expect(dispatcher.call("add", RPCParams(["0x1", "0x1"])) == .success("0x2"))
    }

    @Test("the default unauthorized message names the token file")
    func defaultUnauthorizedMessage() {
        #expect(RPCDispatcher().unauthorizedMessage == "unauthorized: admin method requires the bearer token from <datadir>/rpc.token")
    }
}
