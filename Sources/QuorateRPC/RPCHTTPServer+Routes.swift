/// Routing of HTTP requests, on the loop thread. Every response body is JSON except /metrics.
extension RPCHTTPServer {
    /// Media types geth accepts for JSON-RPC.
    static let acceptedContentTypes: Set<String> = ["application/json", "application/json-rpc", "application/jsonrequest"]
    static let jsonContentType = "application/json"
    static let prometheusContentType = "text/plain; version=0.0.4; charset=utf-8"
    /// RFC 6750's challenge for a bearer token, sent with every 401.
    static let bearerChallenge = #"Bearer realm="quorate-admin""#

    func serve(_ exchange: HTTPExchange) {
        switch exchange.path {
        case "/": serveRPC(exchange)
        case "/health": serveHealth(exchange)
        case "/metrics": serveMetrics(exchange)
        case "/explorer", "/explorer/": serveExplorer(exchange, .page)
        case "/explorer/app.js": serveExplorer(exchange, .script)
        case "/explorer/style.css": serveExplorer(exchange, .style)
        default:
            replyError(exchange, status: 404, "not found: JSON-RPC is served at POST /, probes at GET /health and GET /metrics, the explorer at GET /explorer")
        }
    }

    private func serveRPC(_ exchange: HTTPExchange) {
        guard exchange.method == .post else {
            return replyError(exchange, status: 405, "method not allowed: JSON-RPC requests use POST", headers: [("Allow", "POST")])
        }
        guard Self.isJSON(contentType: exchange.header("Content-Type")) else {
            return replyError(exchange, status: 415, "invalid content type, only application/json is supported")
        }
        // Unreachable while evhttp_set_max_body_size holds the same limit: evhttp refuses a longer
        // body itself, before this callback, with 413, `Connection: close` and its own fixed
        // HTML page (libevent 2.1 has no hook for that page; evhttp_set_errorcb is 2.2). Kept so
        // the limit stays true if that setting ever changes.
        guard exchange.bodyLength <= config.maxBodyBytes else {
            return replyError(exchange, status: 413, "request body of \(exchange.bodyLength) bytes exceeds the limit of \(config.maxBodyBytes) bytes", headers: [("Connection", "close")])
        }
        let context = RPCCallContext(isAdminAuthorized: isAdmin(authorization: exchange.header("Authorization")))
        let outcome = exchange.withBody { dispatcher.handleRequest($0, context: context) }
        if outcome.isUnauthorized, let body = outcome.body {
            // Every call was an admin method without the right token. The status lets HTTP
            // clients and proxies see the refusal; the body keeps the JSON-RPC errors (as
            // Besu answers with authentication on). Calls that need no token never get here.
            exchange.reply(status: 401, contentType: Self.jsonContentType, body: body,
                           headers: [("WWW-Authenticate", Self.bearerChallenge)])
        } else if let response = outcome.body {
            exchange.reply(status: 200, contentType: Self.jsonContentType, body: response)
        } else {
            // Only notifications: nothing to say (as bitcoind answers JSON-RPC 2.0 notifications).
            exchange.reply(status: 204, contentType: nil, body: [])
        }
    }

    private func serveHealth(_ exchange: HTTPExchange) {
        guard exchange.method == .get else {
            return replyError(exchange, status: 405, "method not allowed: use GET /health", headers: [("Allow", "GET")])
        }
        let ready = exchange.query.map { $0.split(separator: "&").contains { $0 == "ready" || $0.hasPrefix("ready=") } } ?? false
        guard let handler = ready ? (readiness ?? health) : health else {
            return replyError(exchange, status: 404, "not found: no health check is configured")
        }
        let report = handler()
        exchange.reply(status: report.status, contentType: Self.jsonContentType, body: report.body.serialized())
    }

    private func serveMetrics(_ exchange: HTTPExchange) {
        guard exchange.method == .get else {
            return replyError(exchange, status: 405, "method not allowed: use GET /metrics", headers: [("Allow", "GET")])
        }
        guard let metrics else { return replyError(exchange, status: 404, "not found: metrics are not enabled") }
        exchange.reply(status: 200, contentType: Self.prometheusContentType, body: Array(metrics().utf8))
    }

    private func serveExplorer(_ exchange: HTTPExchange, _ asset: ExplorerAssets.Asset) {
        guard exchange.method == .get else {
            return replyError(exchange, status: 405, "method not allowed: use GET \(exchange.path)", headers: [("Allow", "GET")])
        }
        exchange.reply(status: 200, contentType: asset.contentType, body: asset.body, headers: ExplorerAssets.securityHeaders)
    }

    /// HTTP-level refusals carry a JSON-RPC error object (id null), so a client that parses the
    /// body whatever the status still gets a readable message.
    private func replyError(_ exchange: HTTPExchange, status: Int, _ message: String, headers: [(String, String)] = []) {
        let body = RPCDispatcher.response(id: .null, .failure(RPCError(code: RPCError.Code.invalidRequest, message: message)))
        exchange.reply(status: status, contentType: Self.jsonContentType, body: body.serialized(), headers: headers)
    }

    /// The media type without parameters ("application/json; charset=utf-8" is JSON).
    static func isJSON(contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        return acceptedContentTypes.contains(mediaType.trimmingSpaces().lowercased())
    }

    /// True for `Bearer <token>` with the configured token. The comparison takes the same time
    /// wherever the first difference is, so the token cannot be guessed byte by byte.
    func isAdmin(authorization: String?) -> Bool {
        guard let expected = config.adminToken, let authorization else { return false }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return false }
        return Self.constantTimeEqual(Array(parts[1].trimmingSpaces().utf8), Array(expected.utf8))
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return s
    }
}
