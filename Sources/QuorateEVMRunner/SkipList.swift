/// Cases the runner does not run, one a line: `file-relative-path testname [data=I,J,...] reason`,
/// `#` comments. Without `data=` every case of the test is skipped; with it, only the cases of
/// those data indexes (a test often checks many precompiles, one of which is 0x0a). The only
/// reasons accepted are blob transactions and the KZG precompile (DESIGN.md section 13: a
/// Quorate chain has neither), so any other reason is refused when loading.
public struct SkipList: Sendable {
    struct Key: Hashable {
        let file: String
        let test: String
    }

    struct Entry {
        /// nil: every data index.
        let dataIndexes: Set<Int>?
        let reason: String
    }

    private var entries: [Key: Entry] = [:]

    public init() {}

    public init(text: String, source: String) throws {
        for (n, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: " \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            var parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true).map(String.init)
            func fail(_ problem: String) -> StateTestError {
                StateTestError(file: source, field: "line \(n + 1)", problem: problem)
            }
            guard parts.count == 3 else { throw fail("expected \"file-relative-path testname reason\"") }
            var indexes: Set<Int>?
            if parts[2].hasPrefix("data=") {
                let rest = parts[2].split(separator: " ", maxSplits: 1).map(String.init)
                let list = rest[0].dropFirst(5).split(separator: ",").map { Int($0) }
                guard rest.count == 2, !list.isEmpty, list.allSatisfy({ $0 != nil }) else {
                    throw fail("expected \"data=I,J,... reason\" after the test name")
                }
                indexes = Set(list.map { $0! })
                parts[2] = rest[1]
            }
            let lower = parts[2].lowercased()
            guard lower.contains("blob") || lower.contains("kzg") else {
                throw fail("the only allowed skip reasons are blob transactions and the KZG precompile, got \"\(parts[2])\"")
            }
            let key = Key(file: parts[0], test: parts[1])
            guard entries[key] == nil else { throw fail("\(parts[0]) \(parts[1]) is listed twice") }
            entries[key] = Entry(dataIndexes: indexes, reason: parts[2])
        }
    }

    public var count: Int { entries.count }

    public func reason(file: String, test: String, dataIndex: Int) -> String? {
        guard let e = entries[Key(file: file, test: test)] else { return nil }
        if let indexes = e.dataIndexes, !indexes.contains(dataIndex) { return nil }
        return e.reason
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
