/// A JSON-RPC 2.0 error object. Handlers throw it to choose the code and message the client sees.
public struct RPCError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Standard codes (JSON-RPC 2.0 section 5.1) and this node's server codes (-32000 family).
    public enum Code {
        public static let parseError = -32700
        public static let invalidRequest = -32600
        public static let methodNotFound = -32601
        public static let invalidParams = -32602
        public static let internalError = -32603
        /// geth's default for errors that carry only a message ("nonce too low", "already known").
        public static let server = -32000
        /// An admin method was called without the bearer token.
        public static let unauthorized = -32001
    }

    public let code: Int
    public let message: String
    public let data: JSON?

    public init(code: Int, message: String, data: JSON? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public var description: String { "JSON-RPC error \(code): \(message)" }

    /// The error object as it goes on the wire.
    public var json: JSON {
        var members: [(key: String, value: JSON)] = [("code", .number(JSONNumber(code))), ("message", .string(message))]
        if let data { members.append(("data", data)) }
        return .object(members)
    }
}

extension RPCError {
    public static func parseError(_ detail: String) -> RPCError {
        RPCError(code: Code.parseError, message: "parse error: \(detail)")
    }

    public static func invalidRequest(_ detail: String) -> RPCError {
        RPCError(code: Code.invalidRequest, message: "invalid request: \(detail)")
    }

    /// geth's wording, which clients and scripts match on.
    public static func methodNotFound(_ method: String) -> RPCError {
        RPCError(code: Code.methodNotFound, message: "the method \(method) does not exist/is not available")
    }

    /// `message` is shown as is, e.g. "invalid argument 0: hex string without 0x prefix".
    public static func invalidParams(_ message: String) -> RPCError {
        RPCError(code: Code.invalidParams, message: message)
    }

    public static func internalError(_ detail: String) -> RPCError {
        RPCError(code: Code.internalError, message: "internal error: \(detail)")
    }

    /// A node-level failure a client can act on ("nonce too low", "already known").
    public static func server(_ message: String, code: Int = Code.server, data: JSON? = nil) -> RPCError {
        precondition((-32099 ... -32000).contains(code), "server error codes are -32099...-32000")
        return RPCError(code: code, message: message, data: data)
    }
}

/// Lets errors from other modules (mempool, state) choose their JSON-RPC form without this module
/// knowing them. Errors that do not conform become `-32000` with their description, as in geth.
public protocol RPCErrorConvertible: Error {
    var rpcError: RPCError { get }
}
