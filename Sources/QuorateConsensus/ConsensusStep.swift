/// Where a validator is within a round (the paper's `step_p`), plus `committed`: the height is
/// decided and the machine waits for the node to start the next one.
public enum ConsensusStep: UInt8, Comparable, Sendable, CustomStringConvertible {
    case propose = 1
    case prevote = 2
    case precommit = 3
    case committed = 4

    public static func < (a: ConsensusStep, b: ConsensusStep) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .propose: "propose"
        case .prevote: "prevote"
        case .precommit: "precommit"
        case .committed: "committed"
        }
    }
}
