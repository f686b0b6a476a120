import Foundation
import QuorateCore

/// Parses amounts as people write them: `1.5ether`, `20gwei`, `1000wei`, or a bare number of wei.
public enum AmountParser {
    public struct AmountError: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    static let units: [(suffix: String, decimals: Int)] = [("ether", 18), ("eth", 18), ("gwei", 9), ("wei", 0)]

    public static func wei(_ text: String) throws -> UInt256 {
        let lower = text.lowercased().trimmingCharacters(in: .whitespaces)
        var number = lower
        var decimals = 0
        for unit in units where lower.hasSuffix(unit.suffix) {
            number = String(lower.dropLast(unit.suffix.count)).trimmingCharacters(in: .whitespaces)
            decimals = unit.decimals
            break
        }
        if number.hasPrefix("0x"), decimals == 0, let v = UInt256(hexQuantity: number) { return v }
        let notAnAmount = AmountError(description: "\"\(text)\" is not an amount: write e.g. 1.5ether, 20gwei or 1000 (wei)")
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw notAnAmount }
        let whole = String(parts[0])
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        // At least one digit, and only ASCII digits: "." is not zero, and "1.5btc" is not a
        // question of decimals.
        guard !(whole + fraction).isEmpty, (whole + fraction).allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw notAnAmount
        }
        guard fraction.count <= decimals else {
            throw AmountError(description: "\"\(text)\" has more decimals than the unit allows (\(decimals))")
        }
        let digits = (whole.isEmpty ? "0" : whole) + fraction + String(repeating: "0", count: decimals - fraction.count)
        guard let value = UInt256(decimal: digits) else { throw notAnAmount }
        return value
    }

    /// `1500000000000000000` -> `1.5 ether`-style text for display.
    public static func formatEther(_ wei: UInt256) -> String {
        let text = wei.description
        let padded = String(repeating: "0", count: max(0, 19 - text.count)) + text
        let whole = padded.dropLast(18)
        var fraction = String(padded.suffix(18))
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? "\(whole)" : "\(whole).\(fraction)"
    }
}
