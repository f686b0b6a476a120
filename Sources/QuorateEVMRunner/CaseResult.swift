import QuorateCore

/// The verdict on one (data, gas, value) index of one test.
public struct CaseResult: Sendable {
    public enum Verdict: Sendable, Equatable {
        case pass
        case fail
        case skipped(reason: String)
    }

    public var name: String
    public var fork: String
    public var dataIndex: Int
    public var gasIndex: Int
    public var valueIndex: Int
    public var verdict: Verdict
    /// The post-state root the runner computed (nil when skipped).
    public var stateRoot: Hash32?
    /// The processor's refusal, or what did not match.
    public var error: String?

    /// One JSON object on one line, fields in a fixed order; `file` is added last when given.
    public func jsonLine(file: String? = nil) -> String {
        var out = "{\"name\":\(JSONText.quote(name)),\"fork\":\(JSONText.quote(fork)),"
        out += "\"index\":{\"data\":\(dataIndex),\"gas\":\(gasIndex),\"value\":\(valueIndex)},"
        switch verdict {
        case .pass: out += "\"pass\":true,"
        case .fail: out += "\"pass\":false,"
        case .skipped(let reason): out += "\"pass\":false,\"skipped\":\(JSONText.quote(reason)),"
        }
        out += "\"stateRoot\":\(stateRoot.map { JSONText.quote($0.hex) } ?? "null"),"
        out += "\"error\":\(error.map(JSONText.quote) ?? "null")"
        if let file { out += ",\"file\":\(JSONText.quote(file))" }
        return out + "}"
    }
}

enum JSONText {
    /// A JSON string literal (RFC 8259 escapes).
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
