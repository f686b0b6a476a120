import Foundation
import QuorateCrypto

/// Test vectors copied unchanged into Tests/Fixtures/core (sources in its README). Found from
/// this file's path, not bundle resources, so `swift test` needs no resource rules.
enum CoreFixtures {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.lastPathComponent != "Tests" && url.path != "/" { url.deleteLastPathComponent() }
        return url.appendingPathComponent("Fixtures/core")
    }()

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    static func json(_ relative: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url(relative)))
    }

    /// Every JSON file under a fixture folder, sorted so runs are reproducible.
    static func files(under relative: String) -> [String] {
        let base = url(relative)
        guard let walker = FileManager.default.enumerator(atPath: base.path) else { return [] }
        return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") }.sorted()
            .map { relative + "/" + $0 }
    }
}
