import Foundation

/// Files of this repository that tests read (Tests/Fixtures, Genesis), found from this source
/// file's path so that `swift test` needs no bundle resources.
public enum RepositoryFiles {
    /// Sources/QuorateTestSupport/RepositoryFiles.swift, three folders down from the root.
    public static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// `relative` under the repository root, e.g. "Genesis/dev.json".
    public static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    /// `relative` under Tests/Fixtures/`area`.
    public static func fixture(_ area: String, _ relative: String) -> URL {
        root.appendingPathComponent("Tests/Fixtures").appendingPathComponent(area).appendingPathComponent(relative)
    }

    public static func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: url(relative)))
    }
}
