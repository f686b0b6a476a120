/// Limits and credentials of the HTTP server.
public struct RPCServerConfig: Sendable {
    /// geth's `maxRequestContentLength`; a raw transaction is a few hundred bytes, a batch of
    /// 1000 of them well under this.
    public static let defaultMaxBodyBytes = 5 * 1024 * 1024
    /// Request line plus headers; a JSON-RPC client sends a few hundred bytes.
    public static let defaultMaxHeaderBytes = 16 * 1024
    /// Read/write inactivity timeout per connection (evhttp_set_timeout), as geth's 30 s.
    public static let defaultTimeoutSeconds = 30

    public var maxBodyBytes: Int
    public var maxHeaderBytes: Int
    public var timeoutSeconds: Int
    /// The token admin methods require in `Authorization: Bearer <token>`. nil: no caller is admin.
    public var adminToken: String?

    public init(
        maxBodyBytes: Int = defaultMaxBodyBytes,
        maxHeaderBytes: Int = defaultMaxHeaderBytes,
        timeoutSeconds: Int = defaultTimeoutSeconds,
        adminToken: String? = nil
    ) {
        precondition(maxBodyBytes > 0 && maxHeaderBytes > 0 && timeoutSeconds > 0, "server limits must be positive")
        precondition(adminToken.map { !$0.isEmpty } ?? true, "an empty admin token would let anyone in")
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.timeoutSeconds = timeoutSeconds
        self.adminToken = adminToken
    }
}

/// The server could not start.
public struct RPCServerError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
