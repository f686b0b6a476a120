import Foundation

extension Socket {
    /// Resolves `host` and connects to the first address that answers before `deadline`.
    static func connect(host: String, port: UInt16, deadline: ContinuousClock.Instant,
                        clock: any NetworkClock = .monotonic) throws(SocketFailure) -> Socket {
        var lastFailure = SocketFailure.system("\(host) resolved to no address")
        for address in try resolve(host: host, port: port, passive: false) {
            let fd = Glibc.socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { lastFailure = .errno("socket"); continue }
            let socket = Socket(fd: fd)
            // Non-blocking connect so that an unreachable host costs at most the handshake
            // timeout, not the kernel's minutes of SYN retries.
            socket.setNonBlocking(true)
            let rc = address.bytes.withUnsafeBytes {
                Glibc.connect(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), address.length)
            }
            if rc != 0 && Glibc.errno != EINPROGRESS { lastFailure = .errno("connect"); continue }
            do throws(SocketFailure) {
                if rc != 0 {
                    try socket.wait(for: Int16(POLLOUT), deadline: deadline, clock: clock)
                    var error: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
                    guard error == 0 else { throw SocketFailure.system("connect: \(String(cString: strerror(error)))") }
                }
            } catch {
                lastFailure = error
                if case .timedOut = error { throw error }
                continue
            }
            socket.setNonBlocking(false)
            socket.setNoDelay()
            return socket
        }
        throw lastFailure
    }

    /// Binds and listens on `host:port` (port 0: the kernel picks one, see `localPort`).
    static func listen(host: String, port: UInt16, backlog: Int32 = 128) throws(SocketFailure) -> Socket {
        var lastFailure = SocketFailure.system("\(host) resolved to no address")
        for address in try resolve(host: host, port: port, passive: true) {
            let fd = Glibc.socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { lastFailure = .errno("socket"); continue }
            let socket = Socket(fd: fd)
            // A restarted node must be able to bind its port while old connections linger in TIME_WAIT.
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            let rc = address.bytes.withUnsafeBytes {
                bind(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), address.length)
            }
            guard rc == 0 else { lastFailure = .errno("bind \(host):\(port)"); continue }
            guard Glibc.listen(fd, backlog) == 0 else { lastFailure = .errno("listen"); continue }
            return socket
        }
        throw lastFailure
    }

    /// The next inbound connection and its address as text; nil once the listener is shut down.
    func accept() -> (Socket, String)? {
        while true {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.accept(self.fd, $0, &length)
                }
            }
            if fd >= 0 {
                // accept4 is not exported to Swift; set close-on-exec so that no child process
                // inherits a peer's connection.
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                let socket = Socket(fd: fd)
                socket.setNoDelay()
                return (socket, Socket.describe(&storage, length))
            }
            switch Glibc.errno {
            case EINTR, ECONNABORTED, EPROTO:
                continue   // the client gave up before we accepted: not our problem
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                // Out of descriptors or memory: retrying at once would spin; give the node's
                // other connections a moment to close.
                usleep(100_000)
            default:
                return nil   // EINVAL after shutdown(): the listener was closed
            }
        }
    }

    var localPort: UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(Socket.describe(&storage, length).split(separator: ":").last.flatMap { Int($0) } ?? 0)
    }

    // MARK: Addresses

    struct ResolvedAddress {
        let family: Int32
        let bytes: [UInt8]
        let length: socklen_t
    }

    static func resolve(host: String, port: UInt16, passive: Bool) throws(SocketFailure) -> [ResolvedAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0 else { throw .system("cannot resolve \(host): \(String(cString: gai_strerror(rc)))") }
        defer { freeaddrinfo(list) }
        var out: [ResolvedAddress] = []
        var next = list
        while let info = next {
            let entry = info.pointee
            if let addr = entry.ai_addr {
                let bytes = [UInt8](UnsafeRawBufferPointer(start: addr, count: Int(entry.ai_addrlen)))
                out.append(ResolvedAddress(family: entry.ai_family, bytes: bytes, length: entry.ai_addrlen))
            }
            next = entry.ai_next
        }
        return out
    }

    private static func text(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// "host:port", with IPv6 hosts in brackets.
    static func describe(_ storage: inout sockaddr_storage, _ length: socklen_t) -> String {
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        let rc = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo($0, length, &host, socklen_t(host.count), &service, socklen_t(service.count),
                            NI_NUMERICHOST | NI_NUMERICSERV)
            }
        }
        guard rc == 0 else { return "unknown address" }
        let h = text(host), s = text(service)
        return h.contains(":") ? "[\(h)]:\(s)" : "\(h):\(s)"
    }
}
