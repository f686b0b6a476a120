/// A small parser for `--option value`, `--option=value` and `--switch` command lines.
/// Options nobody asked for are refused, so a typo is an error rather than silently ignored.
struct Arguments {
    private var values: [String: [String]] = [:]
    private var switches: Set<String> = []
    private var consumed: Set<String> = []

    init(_ args: [String], switchNames: Set<String>) throws {
        var i = 0
        while i < args.count {
            let arg = args[i]
            guard arg.hasPrefix("--") else { throw UsageError("unexpected argument \(arg) (options start with --)") }
            var name = String(arg.dropFirst(2))
            var value: String?
            if let eq = name.firstIndex(of: "=") {
                value = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            if name == "password" {
                throw UsageError("passwords are never taken on the command line: use --password-file FILE")
            }
            if switchNames.contains(name) {
                guard value == nil else { throw UsageError("--\(name) takes no value") }
                switches.insert(name)
            } else {
                if value == nil {
                    guard i + 1 < args.count else { throw UsageError("--\(name) needs a value") }
                    i += 1
                    value = args[i]
                }
                values[name, default: []].append(value!)
            }
            i += 1
        }
    }

    mutating func string(_ name: String) -> String? {
        consumed.insert(name)
        return values[name]?.last
    }

    mutating func strings(_ name: String) -> [String] {
        consumed.insert(name)
        return values[name] ?? []
    }

    mutating func flag(_ name: String) -> Bool {
        consumed.insert(name)
        return switches.contains(name)
    }

    mutating func int(_ name: String, range: ClosedRange<Int>) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let v = Int(text.replacingOccurrences(of: "_", with: "")), range.contains(v) else {
            throw UsageError("--\(name) \(text): expected a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }

    mutating func double(_ name: String, range: ClosedRange<Double>) throws -> Double? {
        guard let text = string(name) else { return nil }
        guard let v = Double(text), range.contains(v) else {
            throw UsageError("--\(name) \(text): expected a number in \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }

    func refuseUnknown() throws {
        let unknown = (Set(values.keys).union(switches)).subtracting(consumed).sorted()
        if let first = unknown.first { throw UsageError("unknown option --\(first) (see quorate-bench --help)") }
    }
}
