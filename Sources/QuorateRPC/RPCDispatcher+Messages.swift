/// JSON-RPC 2.0 message handling: single requests, batches, notifications.
extension RPCDispatcher {
    /// Handles a request body. Returns the serialized response, or nil when nothing is to be sent
    /// back (only notifications).
    public func handle(_ body: UnsafeRawBufferPointer, context: RPCCallContext = RPCCallContext()) -> [UInt8]? {
        let message: JSON
        do {
            message = try JSONParser.parse(body, limits: limits.json)
        } catch {
            return Self.response(id: .null, .failure(.parseError(error.description))).serialized()
        }
        return handle(message, context: context)?.serialized()
    }

    public func handle(_ body: [UInt8], context: RPCCallContext = RPCCallContext()) -> [UInt8]? {
        body.withUnsafeBytes { handle($0, context: context) }
    }

    /// Handles a parsed message (an object or a batch array).
    public func handle(_ message: JSON, context: RPCCallContext = RPCCallContext()) -> JSON? {
        switch message {
        case .array(let batch):
            return handleBatch(batch, context: context)
        case .object:
            return handleSingle(message, context: context)
        default:
            return Self.response(id: .null, .failure(.invalidRequest("expected a request object or a batch array, got \(message.typeName)")))
        }
    }

    private func handleBatch(_ batch: [JSON], context: RPCCallContext) -> JSON? {
        // The spec answers an empty batch with one error object, not an array.
        guard !batch.isEmpty else {
            return Self.response(id: .null, .failure(RPCError(code: RPCError.Code.invalidRequest, message: "empty batch")))
        }
        guard batch.count <= limits.maxBatchLength else {
            // As geth: one error in an array, carrying the first call's id so a client can match it.
            let firstID = batch.lazy.compactMap { Self.requestID($0) }.first ?? .null
            let error = RPCError(
                code: RPCError.Code.invalidRequest,
                message: "batch too large: \(batch.count) requests, the limit is \(limits.maxBatchLength)")
            return .array([Self.response(id: firstID, .failure(error))])
        }
        runBatchHooks(batch)
        let responses = batch.compactMap { handleSingle($0, context: context) }
        return responses.isEmpty ? nil : .array(responses)
    }

    /// One request object. Structurally invalid requests are answered even without an id (the
    /// spec's `[1,2,3]` example); valid notifications run and are never answered.
    private func handleSingle(_ message: JSON, context: RPCCallContext) -> JSON? {
        let request: ValidRequest
        switch Self.validate(message) {
        case .failure(let invalid): return Self.response(id: invalid.id, .failure(invalid.error))
        case .success(let valid): request = valid
        }
        let result: Result<JSON, RPCError>
        switch request.params {
        case .failure(let error): result = .failure(error)
        case .success(let params): result = call(request.method, params, context: context)
        }
        guard let id = request.id else { return nil }
        return Self.response(id: id, result)
    }

    static func response(id: JSON, _ result: Result<JSON, RPCError>) -> JSON {
        switch result {
        case .success(let value): return ["jsonrpc": "2.0", "id": id, "result": value]
        case .failure(let error): return ["jsonrpc": "2.0", "id": id, "error": error.json]
        }
    }
}

// MARK: - Request validation

private struct ValidRequest {
    /// nil for a notification.
    let id: JSON?
    let method: String
    /// A params error is reported as -32602 from a well-formed request.
    let params: Result<RPCParams, RPCError>
}

private struct InvalidRequest: Error {
    let id: JSON
    let error: RPCError
}

extension RPCDispatcher {
    /// The id of a request object if it has a valid one (string, number or null).
    fileprivate static func requestID(_ message: JSON) -> JSON? {
        guard let id = message["id"] else { return nil }
        switch id {
        case .string, .number, .null: return id
        default: return nil
        }
    }

    fileprivate static func validate(_ message: JSON) -> Result<ValidRequest, InvalidRequest> {
        func invalid(_ id: JSON, _ detail: String) -> Result<ValidRequest, InvalidRequest> {
            .failure(InvalidRequest(id: id, error: .invalidRequest(detail)))
        }
        guard case .object = message else {
            return invalid(.null, "expected a request object, got \(message.typeName)")
        }
        let id = requestID(message)
        if message["id"] != nil && id == nil {
            return invalid(.null, "id must be a string, a number or null")
        }
        guard message["jsonrpc"] == .string("2.0") else {
            return invalid(id ?? .null, "jsonrpc must be \"2.0\"")
        }
        guard case .string(let method)? = message["method"] else {
            return invalid(id ?? .null, "method must be a string")
        }
        switch message["params"] {
        case nil, .null?:
            return .success(ValidRequest(id: id, method: method, params: .success(RPCParams([]))))
        case .array(let values)?:
            return .success(ValidRequest(id: id, method: method, params: .success(RPCParams(values))))
        case .object?:
            // By-name params are legal JSON-RPC but no Ethereum method takes them.
            let error = RPCError.invalidParams("params must be an array; by-name (object) params are not supported")
            return .success(ValidRequest(id: id, method: method, params: .failure(error)))
        case .some(let other):
            return invalid(id ?? .null, "params must be an array, got \(other.typeName)")
        }
    }
}
