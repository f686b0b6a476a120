import Foundation

/// The node's per-stage CPU counters (`quorate_stage_cpu_seconds_total{stage=...}` on
/// `GET /metrics`), read before and after a run so the report can say where each transfer's CPU
/// went. A node without the counters (an older build) gives nil, and the report leaves them out.
enum StageScrape {
    static let metricName = "quorate_stage_cpu_seconds_total"
    /// Longest wait for the scrape; a busy node answers in milliseconds.
    static let timeoutS = 10

    /// Stage label -> CPU seconds, in the order the node writes them; nil when unreadable.
    static func read(url: String) -> [(stage: String, seconds: Double)]? {
        guard let text = get(url: url, path: "/metrics") else { return nil }
        let stages = parse(text)
        return stages.isEmpty ? nil : stages
    }

    /// The samples of `metricName` in Prometheus text.
    static func parse(_ text: String) -> [(stage: String, seconds: Double)] {
        let prefix = metricName + "{stage=\""
        return text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix(prefix) else { return nil }
            let rest = line.dropFirst(prefix.count)
            guard let quote = rest.firstIndex(of: "\""), let space = rest.lastIndex(of: " "),
                  let seconds = Double(rest[rest.index(after: space)...]) else { return nil }
            return (String(rest[..<quote]), seconds)
        }
    }

    /// Per-stage seconds between two scrapes (a stage missing from either is left out).
    static func delta(_ before: [(stage: String, seconds: Double)]?, _ after: [(stage: String, seconds: Double)]?)
        -> [(stage: String, seconds: Double)]? {
        guard let before, let after else { return nil }
        let start = Dictionary(before.map { ($0.stage, $0.seconds) }, uniquingKeysWith: { a, _ in a })
        return after.compactMap { s in start[s.stage].map { (s.stage, max(0, s.seconds - $0)) } }
    }

    /// A plain HTTP/1.0 GET (the connection closes after the answer); nil on any failure.
    private static func get(url: String, path: String) -> String? {
        guard let (host, port) = try? Reachability.hostAndPort(url) else { return nil }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutS, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else { return nil }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: \(host):\(port)\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { return nil }
        var answer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { break }
            guard n > 0 else { return nil }
            answer.append(contentsOf: chunk[0..<n])
        }
        let text = String(decoding: answer, as: UTF8.self)
        guard text.hasPrefix("HTTP/1.") && text.contains(" 200 "), let body = text.range(of: "\r\n\r\n") else { return nil }
        return String(text[body.upperBound...])
    }
}
