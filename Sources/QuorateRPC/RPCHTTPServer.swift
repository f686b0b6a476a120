import CLibEvent
import Foundation
import Synchronization

/// JSON-RPC over HTTP/1.1 on libevent's evhttp, with `/health`, `/metrics` and the explorer beside it.
///
/// Threading: evhttp is single-threaded, so the server runs one event loop on its own thread and
/// **handles every request on that thread**: parse, dispatch, serialize, reply. The node behind
/// the dispatcher is thread-safe, so this is correct; it is also the fastest design for cheap
/// calls (no hand-off between threads per request). Its cost is that one slow handler delays
/// the requests queued behind it, and RPC uses one core. The expensive common call,
/// `eth_sendRawTransaction`, is bounded by signature recovery (~45 us, PLATFORM.md), about
/// 20k requests/s on the loop thread. If that ever limits, move dispatch to a worker pool and
/// hand replies back to the loop with `event_active`; the `HTTPExchange` boundary stays.
///
/// Lifecycle: `start()` binds and starts the loop; `stop()` ends it and frees the sockets. The
/// loop thread holds the server alive while it runs, so call `stop()` to release it.
public final class RPCHTTPServer: @unchecked Sendable {
    // @unchecked: the libevent pointers in `HTTPEventLoop` are used only on the loop thread while it runs,
    // and by start()/stop() under `state`'s lock while it does not.

    /// Answers `GET /health`: an HTTP status (200 healthy, 503 not) and a JSON body.
    public typealias HealthHandler = @Sendable () -> (status: Int, body: JSON)
    /// Answers `GET /metrics` with Prometheus text exposition format.
    public typealias MetricsHandler = @Sendable () -> String

    public let host: String
    public let port: UInt16
    public let dispatcher: RPCDispatcher
    public let config: RPCServerConfig
    let health: HealthHandler?
    /// Answers `GET /health?ready` (readiness, as Kubernetes probes distinguish it).
    let readiness: HealthHandler?
    let metrics: MetricsHandler?

    private let state = Mutex<State>(.idle)

    public init(
        host: String = "127.0.0.1",
        port: UInt16,
        dispatcher: RPCDispatcher,
        config: RPCServerConfig = RPCServerConfig(),
        health: HealthHandler? = nil,
        metrics: MetricsHandler? = nil,
        readiness: HealthHandler? = nil
    ) {
        self.host = host
        self.port = port
        self.dispatcher = dispatcher
        self.config = config
        self.health = health
        self.readiness = readiness
        self.metrics = metrics
    }

    /// The port actually bound (useful with port 0); nil unless running.
    public var boundPort: UInt16? {
        state.withLock { state in
            if case .running(let loop) = state { return loop.boundPort }
            return nil
        }
    }

    /// Binds `host:port` and starts serving on a new thread. Starting a running server is a bug.
    public func start() throws(RPCServerError) {
        try state.withLock { (state: inout State) throws(RPCServerError) in
            guard case .idle = state else { preconditionFailure("RPCHTTPServer.start() called while running") }
            let loop = try HTTPEventLoop(server: self)
            loop.run(retaining: self)
            state = .running(loop)
        }
    }

    /// Stops the loop, waits for it to finish the request in hand, and closes all sockets.
    /// Safe to call twice. Must not be called from a handler (it would wait on itself).
    public func stop() {
        let loop: HTTPEventLoop? = state.withLock { state in
            guard case .running(let loop) = state else { return nil }
            state = .idle
            return loop
        }
        loop?.stopAndFree()
    }
}

extension RPCHTTPServer {
    fileprivate enum State {
        case idle
        case running(HTTPEventLoop)
    }
}
