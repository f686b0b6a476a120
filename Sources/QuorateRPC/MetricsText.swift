/// Prometheus text exposition format 0.0.4: one `# HELP` and `# TYPE` per family, then its
/// samples, every family's samples together (what `promtool check metrics` checks).
public struct MetricsText: Sendable {
    public enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    public private(set) var text = ""

    public init() {
        text.reserveCapacity(16 * 1024)
    }

    /// Starts a family. Counters are named `..._total` (Prometheus convention, checked here).
    public mutating func family(_ name: String, _ kind: Kind, _ help: String) {
        precondition(kind != .counter || name.hasSuffix("_total"), "counter \(name) must end in _total")
        text += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(kind.rawValue)\n"
    }

    /// One sample line; `labels` in the order given.
    public mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        text += name
        if !labels.isEmpty { text += "{" + Self.labelText(labels) + "}" }
        text += " " + Self.format(value) + "\n"
    }

    mutating func appendRaw(_ line: String) { text += line }

    /// A family of one unlabelled gauge.
    public mutating func gauge(_ name: String, _ help: String, _ value: Double) {
        family(name, .gauge, help)
        sample(name, [], value)
    }

    /// `a="x",b="y"` with values escaped as the format requires.
    public static func labelText(_ labels: [(String, String)]) -> String {
        // Built in one string without intermediate arrays: the registry renders the label set of
        // every update (each RPC call) as its series key.
        guard !labels.isEmpty else { return "" }
        var out = ""
        out.reserveCapacity(labels.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count + 4 })
        for (i, (name, value)) in labels.enumerated() {
            if i > 0 { out += "," }
            out += name
            out += "=\""
            out += needsEscape(value) ? escapeLabel(value) : value
            out += "\""
        }
        return out
    }

    /// True when `value` holds a byte the label format escapes (backslash, quote, newline).
    private static func needsEscape(_ value: String) -> Bool {
        value.utf8.contains { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") }
    }

    /// Integers without a decimal point; infinities and NaN as Prometheus spells them.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// Backslash, double quote and newline escaped, as a Prometheus label value (the log's quoted values too).
    public static func escapeLabel(_ value: String) -> String {
        var out = ""
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    static func escapeHelp(_ help: String) -> String {
        help.replacingBackslashesAndNewlines()
    }
}

extension String {
    fileprivate func replacingBackslashesAndNewlines() -> String {
        var out = ""
        for c in self {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }
}
