import Dispatch
import Synchronization

/// A method implementation: positional params in, `result` out. Throw `RPCError` to choose the
/// error the client sees; other errors become `-32000` with their description (as geth does),
/// unless they conform to `RPCErrorConvertible`.
public typealias RPCHandler = @Sendable (RPCParams) throws -> JSON

/// Told after every call: the method (registered names only; anything else is "other", so a
/// client cannot grow a metric's label set), its wall time, and whether it failed.
public typealias RPCCallObserver = @Sendable (_ method: String, _ seconds: Double, _ failed: Bool) -> Void

/// What the transport knows about the caller.
public struct RPCCallContext: Sendable {
    /// True when the request carried the admin bearer token.
    public var isAdminAuthorized: Bool

    public init(isAdminAuthorized: Bool = false) {
        self.isAdminAuthorized = isAdminAuthorized
    }
}

/// The JSON-RPC 2.0 method registry and dispatcher, independent of any transport.
///
/// Thread-safe: the registry sits behind a mutex, so methods may be registered while the server
/// runs and requests may be dispatched from any thread. Handlers run on the caller's thread.
public final class RPCDispatcher: Sendable {
    public struct Limits: Sendable, Equatable {
        /// geth's default `BatchRequestLimit`.
        public static let defaultMaxBatchLength = 1000

        public var maxBatchLength: Int
        public var json: JSONParser.Limits

        public init(maxBatchLength: Int = defaultMaxBatchLength, json: JSONParser.Limits = .standard) {
            precondition(maxBatchLength > 0, "the batch limit must be positive")
            self.maxBatchLength = maxBatchLength
            self.json = json
        }
    }

    public static let defaultUnauthorizedMessage =
        "unauthorized: admin method requires the bearer token from <datadir>/rpc.token"

    public let limits: Limits
    /// The message of the -32001 error for admin methods called without the token; the node
    /// puts its real token path here so the operator knows where to look.
    public let unauthorizedMessage: String

    /// The error of an admin call without the token (its message names the token file).
    var unauthorizedError: RPCError { RPCError(code: RPCError.Code.unauthorized, message: unauthorizedMessage) }

    private struct Method: Sendable {
        let admin: Bool
        let handler: RPCHandler
    }

    private let methods = Mutex<[String: Method]>([:])
    /// Second entry points taking a method's one data parameter already decoded (the fast path
    /// of `RawTransactionRequests`); the method's registration gives the admin flag.
    private let dataHandlers = Mutex<[String: @Sendable ([UInt8]) throws -> JSON]>([:])
    private let batchHooks = Mutex<[@Sendable ([JSON]) -> Void]>([])
    private let rawTransactionHooks = Mutex<[@Sendable ([[UInt8]]) -> Void]>([])
    /// A class around the closure: a closure kept directly in a `Mutex` is reabstracted on each
    /// `withLock` and written back wrapped in two more thunks, so every call grew a chain that
    /// every later call walked (the RPC thread slowed to a crawl under load).
    private final class CallObserverBox: Sendable {
        let observe: RPCCallObserver
        init(_ observe: @escaping RPCCallObserver) { self.observe = observe }
    }

    private let callObserver = Mutex<CallObserverBox?>(nil)

    /// Sets the one observer of calls (the node's metrics).
    public func observeCalls(_ observer: @escaping RPCCallObserver) {
        callObserver.withLock { $0 = CallObserverBox(observer) }
    }

    /// `hook` sees every batch before its calls are dispatched one by one, so that work the calls
    /// share (recovering the senders of many raw transactions) can be done in parallel first.
    public func onBatch(_ hook: @escaping @Sendable ([JSON]) -> Void) {
        batchHooks.withLock { $0.append(hook) }
    }

    /// `hook` sees the raw transactions of every batch (of two or more `eth_sendRawTransaction`
    /// calls, their hex decoded) before its calls are dispatched, whichever path read the batch.
    public func onRawTransactionBatch(_ hook: @escaping @Sendable ([[UInt8]]) -> Void) {
        rawTransactionHooks.withLock { $0.append(hook) }
    }

    func runBatchHooks(_ batch: [JSON]) {
        for hook in batchHooks.withLock({ $0 }) { hook(batch) }
        let rawHooks = rawTransactionHooks.withLock { $0 }
        guard !rawHooks.isEmpty else { return }
        var raws: [[UInt8]] = []
        for request in batch where request["method"]?.stringValue == RawTransactionRequests.method {
            if let text = request["params"]?[0]?.stringValue, let raw = try? HexText.data(text) { raws.append(raw) }
        }
        runRawTransactionHooks(raws)
    }

    func runRawTransactionHooks(_ raws: [[UInt8]]) {
        guard raws.count > 1 else { return }
        for hook in rawTransactionHooks.withLock({ $0 }) { hook(raws) }
    }

    /// True when no JSON batch hook would miss a batch read by the fast path.
    var fastPathAllowed: Bool { batchHooks.withLock { $0.isEmpty } }

    public init(limits: Limits = Limits(), unauthorizedMessage: String = RPCDispatcher.defaultUnauthorizedMessage) {
        self.limits = limits
        self.unauthorizedMessage = unauthorizedMessage
    }

    /// Registers `name`. Registering a name twice is a wiring bug, so it stops the process.
    public func register(_ name: String, admin: Bool = false, _ handler: @escaping RPCHandler) {
        precondition(!name.isEmpty, "a JSON-RPC method needs a name")
        let added = methods.withLock { table -> Bool in
            guard table[name] == nil else { return false }
            table[name] = Method(admin: admin, handler: handler)
            return true
        }
        precondition(added, "JSON-RPC method \(name) is registered twice")
    }

    /// Gives the registered method `name`, whose params are one hex data string, a second entry
    /// point taking that string already decoded. `handler` must answer exactly as the method's
    /// handler does once its parameter is decoded (the fast path and the general one must agree).
    public func registerData(_ name: String, _ handler: @escaping @Sendable ([UInt8]) throws -> JSON) {
        precondition(methods.withLock { $0[name] != nil }, "register \(name) before its data entry point")
        let added = dataHandlers.withLock { table -> Bool in
            guard table[name] == nil else { return false }
            table[name] = handler
            return true
        }
        precondition(added, "the data entry point of \(name) is registered twice")
    }

    func hasDataHandler(_ name: String) -> Bool { dataHandlers.withLock { $0[name] != nil } }

    /// Registered method names, sorted (dictionary order varies between runs).
    public var methodNames: [String] {
        methods.withLock { $0.keys.sorted() }
    }

    /// Calls one method directly, with the same admin check and error mapping as a request.
    public func call(_ method: String, _ params: RPCParams, context: RPCCallContext = RPCCallContext()) -> Result<JSON, RPCError> {
        observed(method) { invoke(method, context: context) { try $0(params) } }
    }

    /// Calls a method through its data entry point (`registerData`), with the same checks,
    /// error mapping and observation as `call`.
    func call(_ method: String, data: [UInt8], context: RPCCallContext) -> Result<JSON, RPCError> {
        observed(method) {
            guard let handler = dataHandlers.withLock({ $0[method] }) else { return .failure(.methodNotFound(method)) }
            return invoke(method, context: context) { _ in try handler(data) }
        }
    }

    private func observed(_ method: String, _ perform: () -> Result<JSON, RPCError>) -> Result<JSON, RPCError> {
        guard let observer = callObserver.withLock({ $0 })?.observe else { return perform() }
        let start = DispatchTime.now().uptimeNanoseconds
        let result = perform()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let known = methods.withLock { $0[method] != nil }
        if case .failure = result { observer(known ? method : "other", seconds, true) } else { observer(method, seconds, false) }
        return result
    }

    private func invoke(_ method: String, context: RPCCallContext, _ run: (RPCHandler) throws -> JSON) -> Result<JSON, RPCError> {
        guard let entry = methods.withLock({ $0[method] }) else {
            return .failure(.methodNotFound(method))
        }
        if entry.admin && !context.isAdminAuthorized {
            return .failure(unauthorizedError)
        }
        do {
            return .success(try run(entry.handler))
        } catch let error as RPCError {
            return .failure(error)
        } catch let error as RPCErrorConvertible {
            return .failure(error.rpcError)
        } catch {
            return .failure(.server(String(describing: error)))
        }
    }
}
