/// What broke, in words a person can follow up with `quorate-sim --seed S --trace`.
public struct Violation: Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case agreement, validity, doubleSign = "double-sign", certificate, liveness, store
        /// Whole-node checks: state roots, acknowledged transactions, value conservation.
        case state, transactions, value
    }

    public init(kind: Kind, atMs: UInt64, detail: String) {
        self.kind = kind
        self.atMs = atMs
        self.detail = detail
    }

    public var kind: Kind
    public var atMs: UInt64
    public var detail: String

    public var description: String { "\(kind.rawValue) violation at \(atMs) ms: \(detail)" }
}

public struct SimResult: Sendable {
    public var seed: UInt64
    public var validators: Int
    /// FNV-1a over every event of the run: equal for two runs of one seed.
    public var traceHash: String
    public var violation: Violation?
    public var events: Int
    public var simulatedMs: UInt64
    /// Lowest height every honest validator reached.
    public var honestHeight: UInt64
    /// From the heal until every honest validator committed a new height.
    public var healToProgressMs: UInt64?
    /// What the seed injected, for the report.
    public var scenario: String
    /// Hard-state writes per node instance.
    public var hardStateWrites: [Int]
    /// Crashes drawn at persistence points during the run.
    public var persistenceCrashes: Int
}
