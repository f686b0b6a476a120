import Testing
@testable import QuorateRPC

@Suite("JSON serializer")
struct JSONSerializerTests {
    @Test("output is compact and keeps object members in insertion order")
    func compactOrdered() {
        let value: JSON = ["z": 1, "a": [true, .null, "x"], "m": ["k": 2.5]]
        #expect(value.serializedText == #"{"z":1,"a":[true,null,"x"],"m":{"k":2.5}}"#)
    }

    @Test("strings escape quote, backslash and control characters, and keep other UTF-8 raw")
    func escaping() {
        let value = JSON.string("q\"b\\n\n t\t c\u{1} d\u{7F} é😀 /")
        #expect(value.serializedText == #""q\"b\\n\n t\t c\u0001 d"# + "\u{7F} é😀 /\"")
    }

    @Test("serialize then parse gives the same value back")
    func roundTrip() throws {
        let value: JSON = [
            "s": "line\nbreak \u{0} nul 😀", "n": .number(JSONNumber(literal: "-0.5E-7")!),
            "big": .number(JSONNumber(literal: "123456789012345678901234567890")!),
            "nested": [[["deep": []]]], "empty": .object([]),
        ]
        #expect(try JSONParser.parse(value.serialized()) == value)
    }

    @Test("numbers serialize as their literal text; Ethereum quantities and data as 0x strings")
    func numbers() {
        #expect(JSON.number(JSONNumber(UInt64.max)).serializedText == "18446744073709551615")
        #expect(JSON.number(JSONNumber(-7)).serializedText == "-7")
        #expect(JSON.number(JSONNumber(0.25)).serializedText == "0.25")
        #expect(JSON.quantity(0).serializedText == #""0x0""#)
        #expect(JSON.quantity(0x1a).serializedText == #""0x1a""#)
        #expect(JSON.data([]).serializedText == #""0x""#)
        #expect(JSON.data([0xde, 0xad, 0x01]).serializedText == #""0xdead01""#)
    }

    @Test("JSONNumber refuses text that is not a JSON number")
    func numberValidation() {
        #expect(JSONNumber(literal: "1e5") != nil)
        for bad in ["", "01", "1.", "+1", "0x1", "NaN", " 1", "1 "] {
            #expect(JSONNumber(literal: bad) == nil, "\(bad)")
        }
    }
}
