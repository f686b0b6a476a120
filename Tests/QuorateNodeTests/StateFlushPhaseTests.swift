import Foundation
import QuorateCore
@testable import QuorateNode
import QuorateStorage
import QuorateTestSupport
import Testing

@Suite("state tree write phase")
struct StateFlushPhaseTests {
    @Test("each validator of four writes its tree at its own quarter of the interval; other nodes at 0")
    func phaseFromTheValidatorSet() throws {
        let directory = try NodeDirectory("phase", genesis: TestGenesis.genesis())
        defer { directory.remove() }
        let store = try ChainStore(path: directory.config.storePath)
        var phases: [UInt64] = []
        for key in TestGenesis.validatorKeys {
            var config = directory.config
            config.validatorKey = key
            phases.append(try Node.flushPhase(config, store))
        }
        let order = TestGenesis.validatorKeys.map { TestGenesis.validators.index(of: Address($0.publicKey.ethereumAddress))! }
        #expect(phases == order.map { UInt64($0) * 4 })
        var outsider = directory.config
        outsider.validatorKey = TestKeys.key(0x51)
        #expect(try Node.flushPhase(outsider, store) == 0)
        #expect(try Node.flushPhase(directory.config, store) == 0)
    }
}
