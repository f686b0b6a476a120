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

    static func hex(_ s: String) -> [UInt8] {
        guard let b = try? Hex.decode(s) else { fatalError("bad hex in fixture: \(s.prefix(40))") }
        return b
    }
}

/// SplitMix64: a seeded generator so property checks are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
