import Dispatch
import Testing
@testable import QuorateRPC

@Suite("JSON-RPC over HTTP")
struct RPCHTTPServerTests {
    @Test("a single request over POST / gets its result with HTTP 200 and application/json")
    func singleRequest() throws {
        try withTestServer { port in
            let response = try TestHTTPConnection(port: port).post(#"{"jsonrpc":"2.0","id":1,"method":"add","params":["0x1","0x2"]}"#)
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "application/json")
            #expect(try response.json == ["jsonrpc": "2.0", "id": 1, "result": "0x3"])
        }
    }

    @Test("a batch over HTTP gets an array of responses in request order")
    func batch() throws {
        try withTestServer { port in
            let body = #"[{"jsonrpc":"2.0","id":"a","method":"add","params":["0x1","0x1"]},{"jsonrpc":"2.0","id":"b","method":"nope"}]"#
            let response = try TestHTTPConnection(port: port).post(body)
            let items = try #require(try response.json.arrayValue)
            #expect(items.count == 2)
            #expect(items[0]["result"] == "0x2")
            #expect(items[1]["error"]?["code"] == .number(-32601))
        }
    }

    @Test("a request of only notifications runs them and gets 204 with no body")
    func notificationsOnly() throws {
        let counter = CallCounter()
        try withTestServer(dispatcher: makeTestDispatcher(counter: counter)) { port in
            let response = try TestHTTPConnection(port: port).post(#"[{"jsonrpc":"2.0","method":"count"},{"jsonrpc":"2.0","method":"count"}]"#)
            #expect(response.status == 204)
            #expect(response.body.isEmpty)
        }
        #expect(counter.value == 2)
    }

    @Test("malformed JSON gets -32700 in a 200 response, as geth answers it")
    func malformedJSON() throws {
        try withTestServer { port in
            let response = try TestHTTPConnection(port: port).post(#"{"jsonrpc":"2.0","id":1,"method":"#)
            #expect(response.status == 200)
            #expect(try response.json["error"]?["code"] == .number(-32700))
            #expect(try response.json["id"] == .null)
        }
    }

    @Test("a body over the limit gets 413, its connection closes, and the server keeps serving")
    func bodyOverLimit() throws {
        try withTestServer(config: RPCServerConfig(maxBodyBytes: 1024)) { port in
            let connection = try TestHTTPConnection(port: port)
            let big = #"{"jsonrpc":"2.0","id":1,"method":"echo","params":[""# + String(repeating: "a", count: 4096) + #""]}"#
            let response = try connection.post(big)
            #expect(response.status == 413)
            #expect(response.headers["connection"] == "close")
            #expect(connection.isClosedByServer())

            let next = try TestHTTPConnection(port: port).post(#"{"jsonrpc":"2.0","id":2,"method":"add","params":["0x2","0x2"]}"#)
            #expect(try next.json["result"] == "0x4")
        }
    }

    @Test("keep-alive: two requests on one connection both get answers")
    func keepAlive() throws {
        try withTestServer { port in
            let connection = try TestHTTPConnection(port: port)
            let first = try connection.post(#"{"jsonrpc":"2.0","id":1,"method":"add","params":["0x1","0x1"]}"#)
            let second = try connection.post(#"{"jsonrpc":"2.0","id":2,"method":"add","params":["0x2","0x2"]}"#)
            #expect(try first.json["result"] == "0x2")
            #expect(try second.json["result"] == "0x4")
            #expect(second.headers["connection"] != "close")
        }
    }

    @Test("GET /health returns the handler's status and JSON body")
    func health() throws {
        try withTestServer(health: { (status: 503, body: ["status": "syncing"]) }) { port in
            let response = try TestHTTPConnection(port: port).request("GET", path: "/health", headers: [])
            #expect(response.status == 503)
            #expect(response.headers["content-type"] == "application/json")
            #expect(try response.json == ["status": "syncing"])
        }
    }

    @Test("GET /metrics returns the handler's Prometheus text")
    func metrics() throws {
        try withTestServer { port in
            let response = try TestHTTPConnection(port: port).request("GET", path: "/metrics", headers: [])
            #expect(response.status == 200)
            #expect(response.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(String(decoding: response.body, as: UTF8.self) == "# TYPE quorate_height gauge\nquorate_height 7\n")
        }
    }

    @Test("an unknown path gets 404, a wrong verb 405 with Allow, a non-JSON content type 415")
    func httpRefusals() throws {
        try withTestServer { port in
            let connection = try TestHTTPConnection(port: port)
            let notFound = try connection.request("GET", path: "/nope", headers: [])
            #expect(notFound.status == 404)
            let wrongVerb = try connection.request("GET", path: "/", headers: [])
            #expect(wrongVerb.status == 405)
            #expect(wrongVerb.headers["allow"] == "POST")
            let wrongType = try connection.request(headers: [("Content-Type", "text/plain")], body: Array("{}".utf8))
            #expect(wrongType.status == 415)
            #expect(try wrongType.json["error"]?["message"] == "invalid content type, only application/json is supported")
            let withCharset = try connection.request(
                headers: [("Content-Type", "application/json; charset=utf-8")],
                body: Array(#"{"jsonrpc":"2.0","id":1,"method":"add","params":["0x1","0x0"]}"#.utf8))
            #expect(withCharset.status == 200)
        }
    }

    @Test("an admin method without the token or with a wrong one gets 401, WWW-Authenticate and -32001; with it 200")
    func adminToken() throws {
        try withTestServer { port in
            let connection = try TestHTTPConnection(port: port)
            let call = #"{"jsonrpc":"2.0","id":1,"method":"admin_peers"}"#
            let without = try connection.post(call)
            #expect(without.status == 401)
            #expect(without.headers["www-authenticate"] == #"Bearer realm="quorate-admin""#)
            #expect(without.headers["content-type"] == "application/json")
            #expect(try without.json["id"] == 1)
            #expect(try without.json["error"]?["code"] == .number(-32001))
            #expect(try without.json["error"]?["message"] == "unauthorized: admin method requires the bearer token from /data/rpc.token")
            for header in ["Bearer s3cret-tokeN", "Bearer s3cret-token-and-more", "Basic s3cret-token", "s3cret-token", "Bearer "] {
                let wrong = try connection.post(call, headers: [("Authorization", header)])
                #expect(wrong.status == 401, "\(header)")
                #expect(try wrong.json["error"]?["code"] == .number(-32001), "\(header)")
            }
            let right = try connection.post(call, headers: [("Authorization", "Bearer s3cret-token")])
            #expect(right.status == 200)
            #expect(right.headers["www-authenticate"] == nil)
            #expect(try right.json["result"] == ["peer-1"])
            let lowercase = try connection.post(call, headers: [("Authorization", "bearer s3cret-token")])
            #expect(try lowercase.json["result"] == ["peer-1"], "the scheme is case-insensitive (RFC 7235)")
        }
    }

    @Test("a method without admin works without the token and with a wrong one (only admin methods are guarded)")
    func nonAdminIgnoresToken() throws {
        try withTestServer { port in
            let connection = try TestHTTPConnection(port: port)
            let call = #"{"jsonrpc":"2.0","id":1,"method":"add","params":["0x1","0x2"]}"#
            for headers in [[], [("Authorization", "Bearer wrong")]] {
                let response = try connection.post(call, headers: headers)
                #expect(response.status == 200)
                #expect(try response.json["result"] == "0x3")
            }
        }
    }

    @Test("batches: 401 when every call is an unauthorized admin call, 200 with per-entry errors when mixed")
    func adminBatches() throws {
        try withTestServer { port in
            let connection = try TestHTTPConnection(port: port)
            let admin = #"{"jsonrpc":"2.0","id":1,"method":"admin_peers"}"#
            let plain = #"{"jsonrpc":"2.0","id":2,"method":"add","params":["0x1","0x2"]}"#
            let allAdmin = try connection.post("[\(admin),\(admin)]")
            #expect(allAdmin.status == 401)
            #expect(try allAdmin.json.arrayValue?.count == 2)
            let mixed = try connection.post("[\(admin),\(plain)]")
            #expect(mixed.status == 200)
            #expect(try mixed.json[0]?["error"]?["code"] == .number(-32001))
            #expect(try mixed.json[1]?["result"] == "0x3")
            let authorized = try connection.post("[\(admin),\(plain)]", headers: [("Authorization", "Bearer s3cret-token")])
            #expect(authorized.status == 200)
            #expect(try authorized.json[0]?["result"] == ["peer-1"])
            // A lone admin notification has no response object, but the 401 still says why.
            let notification = try connection.post(#"{"jsonrpc":"2.0","method":"admin_peers"}"#)
            #expect(notification.status == 401)
            #expect(try notification.json["error"]?["code"] == .number(-32001))
        }
    }

    @Test("with no admin token configured, no caller is admin")
    func noAdminToken() throws {
        try withTestServer(config: RPCServerConfig(adminToken: nil)) { port in
            let response = try TestHTTPConnection(port: port).post(
                #"{"jsonrpc":"2.0","id":1,"method":"admin_peers"}"#, headers: [("Authorization", "Bearer anything")])
            #expect(response.status == 401)
            #expect(try response.json["error"]?["code"] == .number(-32001))
        }
    }

    @Test("port 0 binds an ephemeral port; after stop the port refuses connections")
    func lifecycle() throws {
        let server = RPCHTTPServer(port: 0, dispatcher: makeTestDispatcher())
        #expect(server.boundPort == nil)
        try server.start()
        let port = try #require(server.boundPort)
        #expect(port != 0)
        _ = try TestHTTPConnection(port: port).post(#"{"jsonrpc":"2.0","id":1,"method":"echo"}"#)
        server.stop()
        #expect(server.boundPort == nil)
        #expect(throws: TestHTTPError.self) { try TestHTTPConnection(port: port) }
        server.stop()
    }

    @Test("binding a port already in use throws a clear error")
    func portInUse() throws {
        try withTestServer { port in
            let second = RPCHTTPServer(port: port, dispatcher: makeTestDispatcher())
            let error = #expect(throws: RPCServerError.self) { try second.start() }
            #expect(error?.description.contains("could not bind the JSON-RPC server to 127.0.0.1:\(port)") == true)
        }
    }

    @Test("stop right after start returns, and the server can start again on a new port")
    func stopRightAfterStart() throws {
        let server = RPCHTTPServer(port: 0, dispatcher: makeTestDispatcher())
        try server.start()
        server.stop()
        try server.start()
        let port = try #require(server.boundPort)
        #expect(try TestHTTPConnection(port: port).post(#"{"jsonrpc":"2.0","id":1,"method":"add","params":["0x1","0x1"]}"#).status == 200)
        server.stop()
    }

    @Test("stop closes an idle keep-alive connection instead of waiting for it")
    func stopWithOpenConnection() throws {
        let server = RPCHTTPServer(port: 0, dispatcher: makeTestDispatcher())
        try server.start()
        let connection = try TestHTTPConnection(port: try #require(server.boundPort))
        #expect(try connection.post(#"{"jsonrpc":"2.0","id":1,"method":"echo"}"#).status == 200)
        server.stop()
        #expect(connection.isClosedByServer())
    }

    @Test("concurrent clients on separate connections all get their own answers")
    func concurrentClients() throws {
        let failures = CallCounter()
        try withTestServer { port in
            DispatchQueue.concurrentPerform(iterations: 4) { client in
                guard let connection = try? TestHTTPConnection(port: port) else { return failures.increment() }
                for i in 0..<50 {
                    let (a, b) = (client * 1000, i)
                    let body = #"{"jsonrpc":"2.0","id":\#(i),"method":"add","params":["\#(JSON.quantity(UInt64(a)).stringValue!)","\#(JSON.quantity(UInt64(b)).stringValue!)"]}"#
                    let reply = try? connection.post(body).json
                    if reply?["result"] != JSON.quantity(UInt64(a + b)) || reply?["id"] != .number(JSONNumber(i)) { failures.increment() }
                }
            }
        }
        #expect(failures.value == 0)
    }
}
