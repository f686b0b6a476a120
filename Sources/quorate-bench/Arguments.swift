import QuorateCLI

/// The bench reads its command line with the node's `CommandLineArguments` (same `--option value`,
/// `--option=value`, switches, refusal of unknown options and of passwords), plus bounded numbers.
extension CommandLineArguments {
    mutating func int(_ name: String, range: ClosedRange<Int>) throws -> Int? {
        guard let text = option(name) else { return nil }
        guard let v = Int(text.replacingOccurrences(of: "_", with: "")), range.contains(v) else {
            throw UsageError("--\(name) \(text): expected a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }

    mutating func double(_ name: String, range: ClosedRange<Double>) throws -> Double? {
        guard let text = option(name) else { return nil }
        guard let v = Double(text), range.contains(v) else {
            throw UsageError("--\(name) \(text): expected a number in \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }

    /// The bench takes options only.
    func refusePositional() throws {
        if let first = positional.first { throw UsageError("unexpected argument \(first) (options start with --)") }
    }
}
