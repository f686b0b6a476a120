/// A small parser for `command --flag value --switch positional` command lines.
public struct CommandLineArguments {
    public struct UsageError: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    public private(set) var positional: [String] = []
    private var options: [String: [String]] = [:]
    private var switches: Set<String> = []
    private var consumed: Set<String> = []

    /// `switchNames` are flags that take no value (`--json`).
    public init(_ args: [String], switchNames: Set<String> = []) throws {
        var i = 0
        while i < args.count {
            let arg = args[i]
            if arg.hasPrefix("--") {
                var name = String(arg.dropFirst(2))
                var value: String?
                if let eq = name.firstIndex(of: "=") {
                    value = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
                if name == "password" || name == "passphrase" || name == "private-key" {
                    throw UsageError("secrets are never taken on the command line (they would show in `ps` and shell history): use --password-file FILE, the QUORATE_PASSWORD environment variable, or the prompt")
                }
                if switchNames.contains(name) {
                    // A switch is on by being present: "--json=false" must not turn it on.
                    guard value == nil else { throw UsageError("--\(name) takes no value") }
                    switches.insert(name)
                } else {
                    if value == nil {
                        guard i + 1 < args.count else { throw UsageError("--\(name) needs a value") }
                        i += 1
                        value = args[i]
                    }
                    options[name, default: []].append(value!)
                }
            } else {
                positional.append(arg)
            }
            i += 1
        }
    }

    public mutating func option(_ name: String) -> String? {
        consumed.insert(name)
        return options[name]?.last
    }

    public mutating func options(_ name: String) -> [String] {
        consumed.insert(name)
        return options[name] ?? []
    }

    public mutating func required(_ name: String, _ what: String) throws -> String {
        guard let v = option(name) else { throw UsageError("missing --\(name) \(what)") }
        return v
    }

    public mutating func flag(_ name: String) -> Bool {
        consumed.insert(name)
        return switches.contains(name)
    }

    /// Refuses options nobody asked for, so a typo is an error rather than silently ignored.
    public func refuseUnknown() throws {
        if let unknown = options.keys.filter({ !consumed.contains($0) }).sorted().first {
            throw UsageError("unknown option --\(unknown)")
        }
        if let unknown = switches.filter({ !consumed.contains($0) }).sorted().first {
            throw UsageError("unknown option --\(unknown)")
        }
    }
}
