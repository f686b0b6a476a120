import Foundation
@testable import QuorateRPC

#if canImport(Glibc)
import Glibc
#endif

/// A response as read off the socket.
struct TestHTTPResponse {
    let status: Int
    /// Header names lowercased.
    let headers: [String: String]
    let body: [UInt8]

    var json: JSON {
        get throws { try JSONParser.parse(body) }
    }
}

struct TestHTTPError: Error, CustomStringConvertible {
    let description: String
}

/// A blocking HTTP/1.1 client on one TCP connection, so tests control keep-alive exactly.
/// A receive timeout only keeps a broken server from hanging the suite; no test asserts on time.
final class TestHTTPConnection {
    private let fd: Int32
    private var buffered: [UInt8] = []

    /// Connects before `self.fd` is set, so a failed connect closes its socket exactly once
    /// (a class whose init throws after full initialization also runs `deinit`).
    init(port: UInt16) throws {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw TestHTTPError(description: "socket failed") }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let code = errno
            close(socketFD)
            throw TestHTTPError(description: "connect to port \(port) failed: errno \(code)")
        }
        fd = socketFD
    }

    deinit { close(fd) }

    /// Sends raw bytes; false if the peer closed the connection first.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    func request(
        _ method: String = "POST", path: String = "/", headers: [(String, String)] = [("Content-Type", "application/json")],
        body: [UInt8] = []
    ) throws -> TestHTTPResponse {
        send(Self.encodeRequest(method, path: path, headers: headers, body: body))
        return try readResponse()
    }

    func post(_ json: String, headers: [(String, String)] = []) throws -> TestHTTPResponse {
        try request(headers: [("Content-Type", "application/json")] + headers, body: Array(json.utf8))
    }

    static func encodeRequest(_ method: String, path: String, headers: [(String, String)], body: [UInt8]) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if method == "POST" || !body.isEmpty { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + body
    }

    func readResponse() throws -> TestHTTPResponse {
        let headEnd = try readUntilHeaderEnd()
        let head = String(decoding: buffered[..<headEnd], as: UTF8.self)
        buffered.removeFirst(headEnd + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw TestHTTPError(description: "bad status line in \(head)")
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        try fill(atLeast: length)
        let body = Array(buffered.prefix(length))
        buffered.removeFirst(length)
        return TestHTTPResponse(status: status, headers: headers, body: body)
    }

    /// True when the server has closed its side (a read returns end of file).
    func isClosedByServer() -> Bool {
        guard buffered.isEmpty else { return false }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 0
    }

    private func readUntilHeaderEnd() throws -> Int {
        let marker: [UInt8] = [13, 10, 13, 10]
        while true {
            if buffered.count >= 4 {
                for i in 0...(buffered.count - 4) where buffered[i..<(i + 4)].elementsEqual(marker) { return i }
            }
            try readMore()
        }
    }

    private func fill(atLeast count: Int) throws {
        while buffered.count < count { try readMore() }
    }

    private func readMore() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &chunk, chunk.count, 0)
        guard n > 0 else { throw TestHTTPError(description: "connection closed or timed out (recv returned \(n), errno \(errno))") }
        buffered.append(contentsOf: chunk[..<n])
    }
}
