import Foundation
import QuorateCrypto
import QuorateTestSupport

/// Test vectors copied unchanged into Tests/Fixtures/core (sources in its README).
enum CoreFixtures {
    static func url(_ relative: String) -> URL { RepositoryFiles.fixture("core", relative) }

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
