import Foundation
import QuorateCrypto
import QuorateTestSupport
import Testing

/// Parser for lightning/bolts 08-transport.md Appendix A as published (Tests/Fixtures/p2p).
/// The file mixes `key: value` and `key=value`, tabs and spaces, and `0x` with bare hex; lines
/// starting with `#` are the spec's commentary on intermediate values.
enum BOLT8Vectors {
    struct Entry: Sendable {
        let key: String
        let value: String
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let entries: [Entry]
        var testDescription: String { name }

        func field(_ key: String) -> String? { entries.first { $0.key == key }?.value }
        func bytes(_ key: String) -> [UInt8] {
            guard let value = field(key) else { fatalError("vector \(name) has no \(key)") }
            return hex(value)
        }
        /// The `input`/`output` lines in file order: the conversation.
        var steps: [Entry] { entries.filter { $0.key == "input" || $0.key == "output" } }
    }

    static let url = RepositoryFiles.fixture("p2p", "bolt8/transport-test-vectors.txt")

    static let all: [Case] = {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { fatalError("cannot read \(url.path)") }
        var cases: [Case] = []
        var name: String?
        var entries: [Entry] = []
        func flush() {
            if let name { cases.append(Case(name: name, entries: entries)) }
            entries = []
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            guard let sep = line.firstIndex(where: { $0 == ":" || $0 == "=" }) else { fatalError("unparsed line: \(line)") }
            let key = line[..<sep].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: sep)...].trimmingCharacters(in: .whitespaces)
            if key == "name" {
                flush()
                name = value
            } else {
                entries.append(Entry(key: key, value: value))
            }
        }
        flush()
        return cases
    }()

    static var initiatorCases: [Case] { all.filter { $0.name.hasPrefix("transport-initiator") } }
    static var responderCases: [Case] { all.filter { $0.name.hasPrefix("transport-responder") } }
    static var messageCase: Case { all.first { $0.name == "transport-message test" }! }
}

