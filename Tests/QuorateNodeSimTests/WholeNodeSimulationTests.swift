import QuorateNode
import QuorateNodeSim
@_spi(Testing) import QuorateSim
import Testing

@Suite struct WholeNodeSimulationTests {
    @Test("one whole-node seed replays exactly: the same trace hash twice (n=4)")
    func seedReplays() {
        let first = NodeSimulation.run(NodeSimulation.options(validators: 4, seed: 11))
        let second = NodeSimulation.run(NodeSimulation.options(validators: 4, seed: 11))
        #expect(first.violation == nil, "\(first.violation.map(String.init(describing:)) ?? "")")
        #expect(first.traceHash == second.traceHash)
        #expect(first.honestHeight >= 3)
    }
}
