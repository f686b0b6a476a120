import Foundation
import QuorateTestSupport

/// Paths of the fixtures this target reads (Tests/Fixtures/evm-runner) and of the shared
/// ethereum/tests vectors, which are read in place and may be absent.
enum Fixtures {
    static let repository = RepositoryFiles.root.path

    static let directory = repository + "/Tests/Fixtures/evm-runner"

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
    }

    static let generalStateTests = repository + "/../shared/vectors/ethereum/GeneralStateTests"
}
