import Testing
@testable import QuorateRPC

@Suite("The built-in explorer")
struct ExplorerRouteTests {
    @Test("GET /explorer serves the page with a strict Content-Security-Policy and no inline script")
    func page() throws {
        try withTestServer { port in
            let response = try TestHTTPConnection(port: port).request("GET", path: "/explorer", headers: [])
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "text/html; charset=utf-8")
            let csp = try #require(response.headers["content-security-policy"])
            #expect(csp.contains("default-src 'self'") && csp.contains("script-src 'self'") && !csp.contains("unsafe"))
            let html = String(decoding: response.body, as: UTF8.self)
            #expect(html.contains(#"<script src="/explorer/app.js" defer></script>"#))
            // The only script element is the external one; no inline handlers.
            #expect(html.components(separatedBy: "<script").count == 2)
            #expect(!html.contains("onclick") && !html.contains("onload"))
        }
    }

    @Test("the script and style sheet are served from the binary with their media types")
    func assets() throws {
        try withTestServer { port in
            let connection = try TestHTTPConnection(port: port)
            let script = try connection.request("GET", path: "/explorer/app.js", headers: [])
            #expect(script.status == 200)
            #expect(script.headers["content-type"] == "text/javascript; charset=utf-8")
            #expect(script.headers["x-content-type-options"] == "nosniff")
            let style = try TestHTTPConnection(port: port).request("GET", path: "/explorer/style.css", headers: [])
            #expect(style.status == 200 && style.headers["content-type"] == "text/css; charset=utf-8")
        }
    }

    @Test("the explorer never renders data as markup and calls nothing but this node")
    func scriptDiscipline() {
        let script = ExplorerAssets.script
        for forbidden in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"] {
            #expect(!script.contains(forbidden), "app.js uses \(forbidden)")
        }
        for asset in [ExplorerAssets.script, ExplorerAssets.html, ExplorerAssets.css] {
            #expect(!asset.contains("http://") && !asset.contains("https://") && !asset.contains("@import"))
        }
        #expect(script.contains(#"fetch("/""#))
    }

    @Test("GET /health?ready uses the readiness check, GET /health the liveness check")
    func readiness() throws {
        let server = RPCHTTPServer(port: 0, dispatcher: makeTestDispatcher(),
                                   health: { (status: 503, body: ["status": "stalled"]) },
                                   readiness: { (status: 200, body: ["status": "ready"]) })
        try server.start()
        defer { server.stop() }
        let port = try #require(server.boundPort)
        let live = try TestHTTPConnection(port: port).request("GET", path: "/health", headers: [])
        let ready = try TestHTTPConnection(port: port).request("GET", path: "/health?ready", headers: [])
        let liveBody = try live.json
        let readyBody = try ready.json
        #expect(live.status == 503 && liveBody == ["status": "stalled"])
        #expect(ready.status == 200 && readyBody == ["status": "ready"])
    }
}
