/// The conformance runner for ethereum/tests state tests and the EVM benchmark (quorate-evm).
public enum RunnerInfo {
    public static let defaultFork = "Cancun"
}
