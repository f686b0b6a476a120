import Synchronization
@testable import QuorateRPC

struct PlainSwiftError: Error, CustomStringConvertible {
    var description: String { "disk on fire" }
}

struct MempoolRefusal: RPCErrorConvertible {
    var rpcError: RPCError { .server("already known") }
}

/// Counts calls, so tests can prove that notifications run although they get no answer.
final class CallCounter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

/// A dispatcher with small methods that exercise each path of the framework.
func makeTestDispatcher(counter: CallCounter = CallCounter(), limits: RPCDispatcher.Limits = RPCDispatcher.Limits()) -> RPCDispatcher {
    let dispatcher = RPCDispatcher(limits: limits, unauthorizedMessage: "unauthorized: admin method requires the bearer token from /data/rpc.token")
    dispatcher.register("echo") { params in .array(params.values) }
    dispatcher.register("add") { params in
        try params.expectCount(2)
        let (a, b) = (try params.quantityUInt64(at: 0), try params.quantityUInt64(at: 1))
        return .quantity(a &+ b)
    }
    dispatcher.register("nonce_too_low") { _ in throw RPCError.server("nonce too low") }
    dispatcher.register("plain_error") { _ in throw PlainSwiftError() }
    dispatcher.register("already_known") { _ in throw MempoolRefusal() }
    dispatcher.register("count") { _ in
        counter.increment()
        return .null
    }
    dispatcher.register("admin_peers", admin: true) { _ in ["peer-1"] }
    return dispatcher
}

/// Runs `body` against a real server on 127.0.0.1, port 0, and stops it afterwards.
func withTestServer(
    config: RPCServerConfig = RPCServerConfig(adminToken: "s3cret-token"),
    dispatcher: RPCDispatcher = makeTestDispatcher(),
    health: RPCHTTPServer.HealthHandler? = { (status: 200, body: ["status": "ok", "height": 7]) },
    metrics: RPCHTTPServer.MetricsHandler? = { "# TYPE quorate_height gauge\nquorate_height 7\n" },
    _ body: (UInt16) throws -> Void
) throws {
    let server = RPCHTTPServer(port: 0, dispatcher: dispatcher, config: config, health: health, metrics: metrics)
    try server.start()
    defer { server.stop() }
    guard let port = server.boundPort else { throw TestHTTPError(description: "no bound port after start") }
    try body(port)
}
