import Testing
import QuorateEVMRunner

@Test func `the runner's default fork is Cancun`() {
    #expect(RunnerInfo.defaultFork == "Cancun")
}
