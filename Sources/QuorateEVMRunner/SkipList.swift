/// Cases the runner does not run: `file-relative-path testname reason...` per line, `#`
/// comments. Only blob transactions and the KZG precompile may be reasons (DESIGN.md
/// section 13: a Quorate chain has neither), so any other reason is refused when loading.
public struct SkipList: Sendable {
    struct Key: Hashable {
        let file: String
        let test: String
    }

    private var reasons: [Key: String] = [:]

    public init() {}

    public init(text: String, source: String) throws {
        for (n, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: " \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            guard parts.count == 3 else {
                throw StateTestError(file: source, field: "line \(n + 1)",
                                     problem: "expected \"file-relative-path testname reason\"")
            }
            let reason = String(parts[2])
            let lower = reason.lowercased()
            guard lower.contains("blob") || lower.contains("kzg") else {
                throw StateTestError(file: source, field: "line \(n + 1)",
                                     problem: "the only allowed skip reasons are blob transactions and the KZG precompile, got \"\(reason)\"")
            }
            reasons[Key(file: String(parts[0]), test: String(parts[1]))] = reason
        }
    }

    public var count: Int { reasons.count }

    public func reason(file: String, test: String) -> String? {
        reasons[Key(file: file, test: test)]
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        var s = self[...]
        while let f = s.first, chars.contains(f) { s = s.dropFirst() }
        while let l = s.last, chars.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
