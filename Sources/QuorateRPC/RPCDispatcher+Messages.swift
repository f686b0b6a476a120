/// JSON-RPC 2.0 message handling: single requests, batches, notifications.
extension RPCDispatcher {
    /// Handles a request body. Returns the serialized response, or nil when nothing is to be sent
    /// back (only notifications).
    public func handle(_ body: UnsafeRawBufferPointer, context: RPCCallContext = RPCCallContext()) -> [UInt8]? {
        handleRequest(body, context: context).body
    }

    /// Handles a request body and says whether the transport should answer 401: every call in
    /// it was an admin method refused for want of the token.
    public func handleRequest(_ body: UnsafeRawBufferPointer, context: RPCCallContext = RPCCallContext()) -> RPCOutcome {
        if let outcome = handleRawTransactions(body, context: context) { return outcome }
        let message: JSON
        do {
            let parse = StageTimer(.rpcParse)
            defer { parse.finish() }
            message = try JSONParser.parse(body, limits: limits.json)
        } catch {
            return RPCOutcome(body: Self.response(id: .null, .failure(.parseError(error.description))).serialized(), isUnauthorized: false)
        }
        return outcome(dispatch(message, context: context))
    }

    /// The fast path: a body of nothing but well-formed `eth_sendRawTransaction` calls is read
    /// without a JSON tree (`RawTransactionRequests`) and answered exactly as the general path
    /// would; nil sends the body down the general path.
    private func handleRawTransactions(_ body: UnsafeRawBufferPointer, context: RPCCallContext) -> RPCOutcome? {
        guard hasDataHandler(RawTransactionRequests.method), fastPathAllowed else { return nil }
        let parse = StageTimer(.rpcParse)
        let requests = RawTransactionRequests.read(body, maxBatchLength: limits.maxBatchLength, limits: limits.json)
        parse.finish()
        guard let requests else { return nil }
        if requests.isBatch { runRawTransactionHooks(requests.calls.map(\.raw)) }
        let results = requests.calls.map { call in
            let result = self.call(RawTransactionRequests.method, data: call.raw, context: context)
            return Dispatched(response: Self.response(id: call.id, result), isUnauthorized: result.errorCode == RPCError.Code.unauthorized)
        }
        guard requests.isBatch else { return outcome(results[0]) }
        return outcome(Dispatched(response: .array(results.compactMap(\.response)), isUnauthorized: results.allSatisfy(\.isUnauthorized)))
    }

    private func outcome(_ outcome: Dispatched) -> RPCOutcome {
        guard outcome.isUnauthorized else { return RPCOutcome(body: outcome.response?.serialized(), isUnauthorized: false) }
        // Only notifications, all refused: a 401 still needs a body saying why (id null, as
        // the other transport-level refusals).
        let body = outcome.response ?? Self.response(id: .null, .failure(unauthorizedError))
        return RPCOutcome(body: body.serialized(), isUnauthorized: true)
    }

    public func handle(_ body: [UInt8], context: RPCCallContext = RPCCallContext()) -> [UInt8]? {
        body.withUnsafeBytes { handle($0, context: context) }
    }

    /// Handles a parsed message (an object or a batch array).
    public func handle(_ message: JSON, context: RPCCallContext = RPCCallContext()) -> JSON? {
        dispatch(message, context: context).response
    }

    /// The response, and whether every call was refused as an unauthorized admin call.
    private struct Dispatched {
        var response: JSON?
        var isUnauthorized = false
    }

    private func dispatch(_ message: JSON, context: RPCCallContext) -> Dispatched {
        switch message {
        case .array(let batch):
            return handleBatch(batch, context: context)
        case .object:
            return handleSingle(message, context: context)
        default:
            return Dispatched(response: Self.response(id: .null, .failure(.invalidRequest("expected a request object or a batch array, got \(message.typeName)"))))
        }
    }

    private func handleBatch(_ batch: [JSON], context: RPCCallContext) -> Dispatched {
        // The spec answers an empty batch with one error object, not an array.
        guard !batch.isEmpty else {
            return Dispatched(response: Self.response(id: .null, .failure(RPCError(code: RPCError.Code.invalidRequest, message: "empty batch"))))
        }
        guard batch.count <= limits.maxBatchLength else {
            // As geth: one error in an array, carrying the first call's id so a client can match it.
            let firstID = batch.lazy.compactMap { Self.requestID($0) }.first ?? .null
            let error = RPCError(
                code: RPCError.Code.invalidRequest,
                message: "batch too large: \(batch.count) requests, the limit is \(limits.maxBatchLength)")
            return Dispatched(response: .array([Self.response(id: firstID, .failure(error))]))
        }
        runBatchHooks(batch)
        let results = batch.map { handleSingle($0, context: context) }
        let responses = results.compactMap(\.response)
        // A mixed batch is answered 200 with per-entry errors, so the calls that were allowed
        // keep their results; only a batch of nothing but refused admin calls is a 401.
        return Dispatched(response: responses.isEmpty ? nil : .array(responses),
                          isUnauthorized: results.allSatisfy(\.isUnauthorized))
    }

    /// One request object. Structurally invalid requests are answered even without an id (the
    /// spec's `[1,2,3]` example); valid notifications run and are never answered.
    private func handleSingle(_ message: JSON, context: RPCCallContext) -> Dispatched {
        let request: ValidRequest
        switch Self.validate(message) {
        case .failure(let invalid): return Dispatched(response: Self.response(id: invalid.id, .failure(invalid.error)))
        case .success(let valid): request = valid
        }
        let result: Result<JSON, RPCError>
        switch request.params {
        case .failure(let error): result = .failure(error)
        case .success(let params): result = call(request.method, params, context: context)
        }
        // -32001 comes only from `call`'s admin check (RPCError.Code.unauthorized is reserved for it).
        let refused = result.errorCode == RPCError.Code.unauthorized
        return Dispatched(response: request.id.map { Self.response(id: $0, result) }, isUnauthorized: refused)
    }

    static func response(id: JSON, _ result: Result<JSON, RPCError>) -> JSON {
        switch result {
        case .success(let value): return ["jsonrpc": "2.0", "id": id, "result": value]
        case .failure(let error): return ["jsonrpc": "2.0", "id": id, "error": error.json]
        }
    }
}

/// What the transport sends back for one HTTP request body.
public struct RPCOutcome: Sendable {
    /// The serialized response; nil when only notifications came (nothing to answer).
    public var body: [UInt8]?
    /// Every call in the request was an admin method called without the right token: the
    /// HTTP answer is 401 (the body still carries the JSON-RPC errors).
    public var isUnauthorized: Bool
}

extension Result where Failure == RPCError {
    fileprivate var errorCode: Int? {
        if case .failure(let error) = self { return error.code }
        return nil
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
