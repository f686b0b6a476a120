import CLibEvent
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The libevent objects of one running server and the thread that drives them.
final class HTTPEventLoop: @unchecked Sendable {
    // @unchecked: `base`, `http` and `stopEvent` are touched by the loop thread while it runs and
    // by `stopAndFree()` only after that thread has signalled `finished`.

    let base: OpaquePointer
    let http: OpaquePointer
    let stopEvent: OpaquePointer
    let boundPort: UInt16
    private let finished = DispatchSemaphore(value: 0)
    private let threadID = Mutex<pthread_t?>(nil)

    /// libevent needs its locking callbacks installed before the first `event_base_new`, or
    /// `event_active` from another thread would not wake the loop. Once per process.
    /// SIGPIPE: libevent writes with writev, which raises SIGPIPE when a client has gone; the
    /// default action would kill the node, so it is ignored (as bitcoind does).
    private static let processSetUp: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return evthread_use_pthreads() == 0
    }()

    /// Creates the base, configures evhttp, and binds. Throws (after freeing) if binding fails.
    init(server: RPCHTTPServer) throws(RPCServerError) {
        precondition(Self.processSetUp, "evthread_use_pthreads failed")
        guard let base = event_base_new() else { throw RPCServerError("event_base_new failed") }
        guard let http = evhttp_new(base) else {
            event_base_free(base)
            throw RPCServerError("evhttp_new failed")
        }
        Self.configure(http, server: server)
        guard let handle = evhttp_bind_socket_with_handle(http, server.host, server.port) else {
            let reason = String(cString: strerror(errno))
            evhttp_free(http)
            event_base_free(base)
            throw RPCServerError("could not bind the JSON-RPC server to \(server.host):\(server.port): \(reason)")
        }
        // The stop event's callback breaks the loop from inside it; see `stopAndFree`.
        guard let stopEvent = event_new(base, -1, 0, { _, _, arg in
            event_base_loopbreak(OpaquePointer(arg))
        }, UnsafeMutableRawPointer(base)) else {
            evhttp_free(http)
            event_base_free(base)
            throw RPCServerError("event_new failed")
        }
        self.base = base
        self.http = http
        self.stopEvent = stopEvent
        self.boundPort = Self.localPort(of: evhttp_bound_socket_get_fd(handle))
    }

    private static func configure(_ http: OpaquePointer, server: RPCHTTPServer) {
        let config = server.config
        evhttp_set_max_body_size(http, Int(config.maxBodyBytes))
        evhttp_set_max_headers_size(http, Int(config.maxHeaderBytes))
        evhttp_set_timeout(http, Int32(clamping: config.timeoutSeconds))
        // Let every verb reach our callback, so unsupported ones get a 405 from us rather than
        // libevent's 501 page.
        evhttp_set_allowed_methods(http, UInt16(0x1FF))
        // Over-long bodies: read and discard the rest before answering 413, so the client sees
        // the status instead of a connection reset.
        evhttp_set_flags(http, EVHTTP_SERVER_LINGERING_CLOSE)
        // The server outlives the loop (the loop thread retains it), so an unretained pointer is safe.
        evhttp_set_gencb(http, { request, arg in
            guard let request, let arg else { return }
            Unmanaged<RPCHTTPServer>.fromOpaque(arg).takeUnretainedValue().serve(HTTPExchange(request))
        }, Unmanaged.passUnretained(server).toOpaque())
    }

    /// Starts the loop thread. It keeps `server` alive until the loop ends.
    func run(retaining server: RPCHTTPServer) {
        let thread = Thread { [self] in
            threadID.withLock { $0 = pthread_self() }
            // NO_EXIT_ON_EMPTY: keep running even in a moment with no pending events.
            event_base_loop(base, EVLOOP_NO_EXIT_ON_EMPTY)
            withExtendedLifetime(server) {}
            finished.signal()
        }
        thread.name = "quorate-rpc"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Ends the loop and frees everything. An activated event, unlike `event_base_loopbreak`
    /// called from here, cannot be lost if the loop thread has not entered its loop yet:
    /// `event_base_loop` clears the break flag on entry, but it runs pending active events.
    func stopAndFree() {
        let onLoopThread = threadID.withLock { id in id.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
        precondition(!onLoopThread, "RPCHTTPServer.stop() called from a request handler would deadlock")
        event_active(stopEvent, EV_TIMEOUT, 0)
        finished.wait()
        evhttp_free(http)
        event_free(stopEvent)
        event_base_free(base)
    }

    private static func localPort(of fd: Int32) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        precondition(rc == 0, "getsockname on a bound socket failed")
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) } }
        case AF_INET6:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) } }
        default:
            preconditionFailure("bound socket has address family \(storage.ss_family)")
        }
    }
}
