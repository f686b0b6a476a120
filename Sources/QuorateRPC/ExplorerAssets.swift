/// The built-in explorer served at `/explorer`: static HTML, CSS and JavaScript from this binary.
enum ExplorerAssets {
    enum Asset {
        case page, script, style

        var contentType: String {
            switch self {
            case .page: "text/html; charset=utf-8"
            case .script: "text/javascript; charset=utf-8"
            case .style: "text/css; charset=utf-8"
            }
        }

        var body: [UInt8] {
            switch self {
            case .page: ExplorerAssets.htmlBytes
            case .script: ExplorerAssets.scriptBytes
            case .style: ExplorerAssets.cssBytes
            }
        }
    }

    static let htmlBytes = Array(html.utf8)
    static let scriptBytes = Array(script.utf8)
    static let cssBytes = Array(css.utf8)

    /// Only this origin's script, style and JSON-RPC; no inline script or style, no frames, no
    /// plugins, no form posts elsewhere. Chain data rendered by the script can therefore never
    /// run, even if a rendering bug let markup through.
    static let contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

    static let securityHeaders: [(String, String)] = [
        ("Content-Security-Policy", contentSecurityPolicy),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Cache-Control", "no-cache"),
    ]
}
