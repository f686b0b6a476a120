import Testing
@testable import QuorateRPC

@Suite("JSON parser")
struct JSONParserTests {
    @Test("every JSON type parses, and object members keep their order")
    func allTypes() throws {
        let value = try JSONParser.parse(#" {"z": null, "a": [true, false, -1.5e3, "s"], "m": {}} "#)
        #expect(value == ["z": .null, "a": [true, false, .number(JSONNumber(literal: "-1.5e3")!), "s"], "m": .object([])])
        #expect(value.objectValue?.map(\.key) == ["z", "a", "m"])
        #expect(value["a"]?[3]?.stringValue == "s")
        #expect(value["missing"] == nil)
    }

    @Test("a top-level scalar is a valid document (RFC 8259)")
    func topLevelScalars() throws {
        #expect(try JSONParser.parse("42") == 42)
        #expect(try JSONParser.parse("\"x\"") == "x")
        #expect(try JSONParser.parse(" null\n") == .null)
    }

    @Test("big integers keep their exact digits through parse and serialize")
    func bigNumbersExact() throws {
        let text = #"{"id":115792089237316195423570985008687907853269984665640564039457584007913129639935,"f":0.1000000000000000055511151231257827}"#
        let value = try JSONParser.parse(text)
        #expect(value["id"]?.numberValue?.literal == "115792089237316195423570985008687907853269984665640564039457584007913129639935")
        #expect(value["id"]?.numberValue?.uint64Value == nil)
        #expect(value.serializedText == text)
        #expect(try JSONParser.parse("18446744073709551615").numberValue?.uint64Value == UInt64.max)
        #expect(try JSONParser.parse("-9223372036854775808").numberValue?.int64Value == Int64.min)
        #expect(try JSONParser.parse("1.0").numberValue?.int64Value == nil)
    }

    @Test("nesting at the depth limit parses; one level deeper is refused")
    func depthLimit() throws {
        let limits = JSONParser.Limits(maxDepth: 8)
        let atLimit = String(repeating: "[", count: 8) + String(repeating: "]", count: 8)
        let overLimit = "[" + atLimit + "]"
        _ = try JSONParser.parse(atLimit, limits: limits)
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(overLimit, limits: limits) }
        #expect(error?.reason == "nesting deeper than 8 levels")
    }

    @Test("the default depth limit stops a 100,000-deep array without exhausting the stack")
    func deepHostileInput() {
        let hostile = String(repeating: "[", count: 100_000)
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(hostile) }
        #expect(error?.reason == "nesting deeper than \(JSONParser.Limits.defaultMaxDepth) levels")
    }

    @Test("input over the byte limit is refused before parsing")
    func inputLimit() {
        let error = #expect(throws: JSONParseError.self) {
            try JSONParser.parse("[1, 2, 3]", limits: JSONParser.Limits(maxInputBytes: 8))
        }
        #expect(error?.description == "invalid JSON at byte 0: input of 9 bytes exceeds the limit of 8 bytes")
    }

    @Test("unicode escapes decode, including a surrogate pair for a scalar beyond the BMP")
    func unicodeEscapes() throws {
        #expect(try JSONParser.parse(#""\u0041\u00e9\u20AC""#) == "Aé€")
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == "😀")
        #expect(try JSONParser.parse(#""a\"b\\c\/d\b\f\n\r\t""#) == "a\"b\\c/d\u{8}\u{C}\n\r\t")
        #expect(try JSONParser.parse(#""\u0000""#) == "\u{0}")
    }

    @Test("lone or mismatched surrogate escapes are refused")
    func loneSurrogates() {
        for text in [#""\ud83d""#, #""\ud83dx""#, #""\ude00""#, #""\ud83d\u0041""#] {
            #expect(throws: JSONParseError.self, "\(text)") { try JSONParser.parse(text) }
        }
    }

    @Test("raw UTF-8 in strings is accepted; invalid UTF-8 is refused")
    func utf8Validation() throws {
        #expect(try JSONParser.parse(Array("\"héllo 😀\"".utf8)) == "héllo 😀")
        for bad: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0x5C, 0x6E, 0xC0, 0x80, 0x22]] {
            let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(bad) }
            #expect(error?.reason == "string is not valid UTF-8")
        }
    }

    @Test("malformed documents are refused", arguments: [
        "", " ", "{", "[", "[1,]", #"{"a":1,}"#, "[1 2]", #"{"a" 1}"#, "{1:2}", "{'a':1}",
        "01", "-01", "1.", ".5", "-", "+1", "1e", "1e+", "0x10", "NaN", "Infinity", "-Infinity",
        "tru", "nul", "True", "\u{FEFF}{}", #"{"a":1}x"#, "[] []", #""\x""#, #""abc"#, "\"\t\"",
        "\"\n\"", "// c\n1", "/* c */ 1", #"{"a":1,"a":2}"#, "[\u{0B}1]",
    ])
    func malformed(text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test("errors name the byte offset and what was expected")
    func errorMessages() {
        let missingColon = #expect(throws: JSONParseError.self) { try JSONParser.parse(#"{"a" 1}"#) }
        #expect(missingColon?.description == "invalid JSON at byte 5: unexpected '1', expected ':' after object key")
        let truncated = #expect(throws: JSONParseError.self) { try JSONParser.parse("[1,") }
        #expect(truncated?.description == "invalid JSON at byte 3: unexpected end of input, expected a value")
        let duplicate = #expect(throws: JSONParseError.self) { try JSONParser.parse(#"{"a":1,"a":2}"#) }
        #expect(duplicate?.description == #"invalid JSON at byte 7: duplicate object key "a""#)
    }

    @Test("duplicate keys are found in objects large enough to use the hash set")
    func duplicateKeysInLargeObject() {
        let members = (0..<40).map { #""k\#($0)":\#($0)"# } + [#""k3":0"#]
        #expect(throws: JSONParseError.self) { try JSONParser.parse("{" + members.joined(separator: ",") + "}") }
    }

    @Test("whitespace of all four kinds is allowed between tokens")
    func whitespace() throws {
        #expect(try JSONParser.parse(" \t\r\n[ 1 ,\t2\r\n]\n ") == [1, 2])
    }
}
