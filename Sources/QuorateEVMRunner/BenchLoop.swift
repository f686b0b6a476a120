import Foundation
import QuorateCrypto

/// One benchmark loop: EVM bytecode kept in `evm/bench/NAME.hex`, where `#` starts a comment
/// and whitespace is ignored. Every loop reads its iteration count from the first calldata
/// word, so the bench can size a run to a gas budget.
public struct BenchLoop: Sendable, Equatable {
    public var name: String
    public var code: [UInt8]

    public static func parse(name: String, text: String) throws -> BenchLoop {
        var digits = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let code = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            digits += code.filter { !$0.isWhitespace }
        }
        guard !digits.isEmpty else { throw UsageError("bench loop \(name) has no bytecode") }
        do {
            return BenchLoop(name: name, code: try Hex.decode(digits))
        } catch {
            throw UsageError("bench loop \(name): \(error)")
        }
    }

    /// The `.hex` files of `directory`, in name order.
    public static func load(directory: String) throws -> [BenchLoop] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw UsageError("no bench loops: cannot read \(directory) (run from the repository root or give --dir)")
        }
        let hexFiles = names.filter { $0.hasSuffix(".hex") }.sorted()
        guard !hexFiles.isEmpty else { throw UsageError("no .hex bench loops in \(directory)") }
        return try hexFiles.map { file in
            guard let data = FileManager.default.contents(atPath: directory + "/" + file) else {
                throw UsageError("cannot read \(directory)/\(file)")
            }
            return try parse(name: String(file.dropLast(4)), text: String(decoding: data, as: UTF8.self))
        }
    }
}
