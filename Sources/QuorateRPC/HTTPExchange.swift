import CLibEvent

/// One HTTP request/response on evhttp, keeping libevent's C types inside this file.
/// Valid only during the request callback, on the event-loop thread.
struct HTTPExchange {
    enum Method: Equatable {
        case get, post, other(String)
    }

    private let request: OpaquePointer

    init(_ request: OpaquePointer) {
        self.request = request
    }

    var method: Method {
        let command = evhttp_request_get_command(request)
        if command == EVHTTP_REQ_GET { return .get }
        if command == EVHTTP_REQ_POST { return .post }
        return .other(String(command.rawValue))
    }

    /// The path without query; "/" for an empty or absolute-form target without a path.
    var path: String {
        guard let uri = evhttp_request_get_evhttp_uri(request), let raw = evhttp_uri_get_path(uri) else { return "/" }
        let path = String(cString: raw)
        return path.isEmpty ? "/" : path
    }

    /// The query string without "?", or nil when the target has none.
    var query: String? {
        guard let uri = evhttp_request_get_evhttp_uri(request), let raw = evhttp_uri_get_query(uri) else { return nil }
        return String(cString: raw)
    }

    /// A request header by name, case-insensitively (evhttp compares names that way).
    func header(_ name: String) -> String? {
        guard let headers = evhttp_request_get_input_headers(request),
              let value = evhttp_find_header(headers, name) else { return nil }
        return String(cString: value)
    }

    var bodyLength: Int {
        guard let buffer = evhttp_request_get_input_buffer(request) else { return 0 }
        return evbuffer_get_length(buffer)
    }

    /// The body as one contiguous buffer, without copying it into Swift memory.
    func withBody<T>(_ body: (UnsafeRawBufferPointer) -> T) -> T {
        guard let buffer = evhttp_request_get_input_buffer(request) else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        let length = evbuffer_get_length(buffer)
        // pullup(-1) makes the chain contiguous; the pointer stays valid until the buffer changes.
        let start = length == 0 ? nil : evbuffer_pullup(buffer, -1)
        return body(UnsafeRawBufferPointer(start: start, count: start == nil ? 0 : length))
    }

    /// Sends the whole response. `headers` come after Content-Type.
    func reply(status: Int, contentType: String?, body: [UInt8], headers: [(String, String)] = []) {
        precondition((100...599).contains(status), "HTTP status \(status) is out of range")
        let output = evhttp_request_get_output_headers(request)
        if let contentType { evhttp_add_header(output, "Content-Type", contentType) }
        for (name, value) in headers { evhttp_add_header(output, name, value) }
        if !body.isEmpty {
            let added = body.withUnsafeBytes { evbuffer_add(evhttp_request_get_output_buffer(request), $0.baseAddress, $0.count) }
            precondition(added == 0, "evbuffer_add failed: out of memory")
        }
        // A nil reason makes evhttp use the standard phrase for the status.
        evhttp_send_reply(request, Int32(status), nil, nil)
    }
}
