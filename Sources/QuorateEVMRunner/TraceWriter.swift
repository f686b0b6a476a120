import QuorateCore
import QuorateCrypto
import QuorateEVM

/// An EIP-3155 tracer: one JSON object per executed instruction, then a summary line, in the
/// field names and number formats geth's and evmone's `statetest --trace` print, so that a
/// failing case can be diffed line by line against theirs.
public final class TraceWriter: EVMTracer {
    private let write: (String) -> Void

    /// `write` receives each line without its newline.
    public init(write: @escaping (String) -> Void) {
        self.write = write
    }

    public func step(_ s: TraceStep) {
        var line = "{\"pc\":\(s.pc),\"op\":\(s.opcode),\"gas\":\"\(hex(s.gas))\",\"gasCost\":\"\(hex(s.gasCost))\","
        line += "\"memSize\":\(s.memorySize),\"stack\":["
        line += s.stack.map { "\"\($0.hexQuantity)\"" }.joined(separator: ",")
        line += "],\"depth\":\(s.depth),\"refund\":\(s.refund),\"opName\":\"\(OpcodeNames.name(s.opcode))\"}"
        write(line)
    }

    public func transactionEnded(output: [UInt8], gasUsed: UInt64, error: String?) {
        var line = "{\"output\":\"\(Hex.encode(output))\",\"gasUsed\":\"\(hex(gasUsed))\""
        if let error { line += ",\"error\":\(JSONText.quote(error))" }
        write(line + "}")
    }

    private func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
}
