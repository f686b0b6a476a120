import Foundation

/// Checks that a TCP connection to the URL's host and port opens within a time limit, so that an
/// unreachable address fails in seconds rather than after the kernel's connect retries (minutes).
enum Reachability {
    static let connectTimeoutMs: Int32 = 5_000

    static func check(_ url: String) throws {
        let (host, port) = try hostAndPort(url)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else {
            throw BenchError("\(url): \(host) is not an IPv4 address; give the node's JSON-RPC URL as http://127.0.0.1:PORT")
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc == 0 { return }
        guard errno == EINPROGRESS else { throw unreachable(url, String(cString: strerror(errno))) }
        var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&pfd, 1, connectTimeoutMs) == 1 else {
            throw unreachable(url, "no answer within \(connectTimeoutMs / 1000) s")
        }
        var soError: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
        guard soError == 0 else { throw unreachable(url, String(cString: strerror(soError))) }
    }

    static func hostAndPort(_ url: String) throws -> (String, UInt16) {
        guard url.hasPrefix("http://") else {
            throw BenchError("--rpc \(url): only http:// URLs are supported (the node serves plain HTTP on loopback)")
        }
        let authority = url.dropFirst("http://".count).split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let parts = authority.split(separator: ":")
        guard (1...2).contains(parts.count), let port = parts.count == 2 ? UInt16(parts[1]) : 80 else {
            throw BenchError("--rpc \(url): expected http://HOST:PORT")
        }
        let host = parts[0] == "localhost" ? "127.0.0.1" : String(parts[0])
        return (host, port)
    }

    private static func unreachable(_ url: String, _ reason: String) -> BenchError {
        BenchError("cannot reach \(url): \(reason); is quorate-node running there with JSON-RPC on that port?")
    }
}
