import Foundation

/// A small blocking JSON-RPC client over HTTP/1.1 with keep-alive, for the wallet, tools and
/// benchmarks. Not thread-safe: one client per thread.
public final class RPCClient {
    public struct ClientError: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// Largest response the client will read and parse (a block with full transactions fits
    /// easily). Answers are parsed with this same limit: a smaller parser limit would refuse
    /// answers the client had already read in full (the parser's default is the server's 5 MiB
    /// request limit, which is about requests, not answers).
    public static let maxResponseBytes = 64 << 20
    /// Parser limits for answers: the default depth, and `maxResponseBytes` of input.
    static let responseLimits = JSONParser.Limits(maxInputBytes: maxResponseBytes)
    /// Longest wait for connecting, for the socket to take more of a request, or for more of an
    /// answer (SO_SNDTIMEO, which on Linux also bounds `connect`, and SO_RCVTIMEO). A node that
    /// stalls for this long gets a `ClientError` naming the stall instead of a hang. 60 s leaves
    /// room for the slowest legitimate answer: a batch of 1,000 calls against a busy node.
    public static let defaultIOTimeoutSeconds = 60

    /// This client's wait limit (`defaultIOTimeoutSeconds` unless given).
    public let ioTimeoutSeconds: Int

    public let url: String
    /// Sent as `Authorization: Bearer` for the admin methods (the node's rpc.token).
    public var bearerToken: String?
    let host: String
    let port: UInt16
    let path: String
    private var socket: Int32 = -1
    private var nextId = 1

    public init(url: String, ioTimeoutSeconds: Int = RPCClient.defaultIOTimeoutSeconds) throws {
        precondition(ioTimeoutSeconds > 0, "an I/O timeout must be positive")
        self.ioTimeoutSeconds = ioTimeoutSeconds
        guard url.hasPrefix("http://") else {
            throw ClientError("only http:// URLs are supported (got \(url)); the node serves plain HTTP on loopback")
        }
        let rest = url.dropFirst("http://".count)
        let hostPort = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        path = hostPort.count > 1 ? "/" + hostPort[1] : "/"
        let parts = hostPort[0].split(separator: ":")
        guard parts.count <= 2, let hostPart = parts.first, !hostPart.isEmpty else { throw ClientError("cannot parse the URL \(url)") }
        host = hostPart == "localhost" ? "127.0.0.1" : String(hostPart)
        guard let p = parts.count == 2 ? UInt16(parts[1]) : 80 else { throw ClientError("bad port in \(url)") }
        port = p
        self.url = url
    }

    deinit { close() }

    /// Calls `method`; a JSON-RPC error answer is thrown as `RPCError` with the node's message.
    public func call(_ method: String, _ params: [JSON]) throws -> JSON {
        let id = nextId
        nextId += 1
        let request: JSON = ["jsonrpc": "2.0", "id": .number(JSONNumber(id)), "method": .string(method), "params": .array(params)]
        let answer = try post(request.serialized())
        return try RPCClient.result(of: answer)
    }

    /// Sends a batch and returns the answers in request order (errors as `.failure`).
    public func batch(_ calls: [(method: String, params: [JSON])]) throws -> [Result<JSON, RPCError>] {
        let firstId = nextId
        nextId += calls.count
        let request = JSON.array(calls.enumerated().map { i, c in
            ["jsonrpc": "2.0", "id": .number(JSONNumber(firstId + i)), "method": .string(c.method), "params": .array(c.params)]
        })
        guard let answers = try post(request.serialized()).arrayValue else { throw ClientError("batch answer is not an array") }
        var byId = [Int: JSON]()
        for a in answers { if let id = a["id"]?.numberValue?.int64Value { byId[Int(id)] = a } }
        return calls.indices.map { i in
            guard let a = byId[firstId + i] else { return .failure(RPCError.internalError("no answer for call \(i)")) }
            return Result { try RPCClient.result(of: a) }.mapError { $0 as? RPCError ?? .internalError("\($0)") }
        }
    }

    static func result(of answer: JSON) throws -> JSON {
        if let error = answer["error"] {
            throw RPCError(code: Int(error["code"]?.numberValue?.int64Value ?? 0),
                           message: error["message"]?.stringValue ?? "\(error)", data: error["data"])
        }
        guard let result = answer["result"] else { throw ClientError("answer has neither result nor error: \(answer)") }
        return result
    }

    /// POSTs one body; reconnects once if a kept-alive connection was closed by the server.
    public func post(_ body: [UInt8]) throws -> JSON {
        for attempt in 0..<2 {
            do {
                if socket < 0 { try connect() }
                try send(body)
                return try JSONParser.parse(try readResponse(), limits: RPCClient.responseLimits)
            } catch let error as ClientError where attempt == 0 && error.description.hasPrefix("connection closed") {
                close()
            }
        }
        throw ClientError("connection to \(url) closed twice")
    }

    private func connect() throws {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError("socket: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: ioTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else {
            Glibc.close(fd)
            throw ClientError("\(host) is not an IPv4 address (use 127.0.0.1)")
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let timedOut = errno == EINPROGRESS || errno == EAGAIN
            let reason = timedOut ? "no answer within \(ioTimeoutSeconds) s" : String(cString: strerror(errno))
            Glibc.close(fd)
            throw ClientError("cannot connect to \(url): \(reason); is quorate-node running there?")
        }
        socket = fd
    }

    private func send(_ body: [UInt8]) throws {
        let auth = bearerToken.map { "Authorization: Bearer \($0)\r\n" } ?? ""
        let head = "POST \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Type: application/json\r\n\(auth)Content-Length: \(body.count)\r\n\r\n"
        var bytes = Array(head.utf8) + body
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.send(socket, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else {
                if n < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                    close()
                    throw ClientError(stalled("took no more of the request"))
                }
                throw ClientError("connection closed while sending")
            }
            offset += n
        }
        bytes.removeAll()
    }

    private var buffer = [UInt8]()

    private func readResponse() throws -> [UInt8] {
        var headerEnd: Int?
        while headerEnd == nil {
            headerEnd = RPCClient.find([13, 10, 13, 10], in: buffer)
            if headerEnd == nil { try fill() }
        }
        let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        guard let status = lines.first, status.hasPrefix("HTTP/1.") else { throw ClientError("not an HTTP answer from \(url)") }
        var length: Int?
        var closeAfter = false
        for line in lines.dropFirst() {
            let lower = line.lowercased()
            if lower.hasPrefix("content-length:") { length = Int(lower.dropFirst(15).trimmingCharacters(in: .whitespaces)) }
            if lower.hasPrefix("connection:") && lower.contains("close") { closeAfter = true }
        }
        guard let length, length <= RPCClient.maxResponseBytes else {
            throw ClientError("answer from \(url) has no usable Content-Length (\(status))")
        }
        let start = headerEnd! + 4
        while buffer.count < start + length { try fill() }
        let body = Array(buffer[start..<(start + length)])
        buffer.removeSubrange(0..<(start + length))
        if closeAfter { close() }
        let code = status.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        guard code == 200 else {
            if let json = try? JSONParser.parse(body), json["error"] != nil { return body }
            throw ClientError("HTTP \(code) from \(url)")
        }
        return body
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let n = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard n > 0 else {
            let timedOut = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
            let reason = String(cString: strerror(errno))
            close()
            if timedOut { throw ClientError(stalled("sent no answer")) }
            throw ClientError(n == 0 ? "connection closed by \(url)" : "connection closed: \(reason)")
        }
        buffer.append(contentsOf: chunk[0..<n])
    }

    /// The message for a node that stopped reading or answering for `ioTimeoutSeconds`.
    private func stalled(_ what: String) -> String {
        "\(url) \(what) for \(ioTimeoutSeconds) s: the node is stalled or overloaded"
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if Array(haystack[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }

    public func close() {
        if socket >= 0 { Glibc.close(socket) }
        socket = -1
        buffer.removeAll()
    }
}
