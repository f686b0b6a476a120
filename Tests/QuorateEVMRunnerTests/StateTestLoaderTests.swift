import Foundation
import Testing
import QuorateCore
@testable import QuorateEVMRunner

@Suite struct StateTestLoaderTests {
    static let account = "0x095e7baea6a6c7c4c2dfeb977efac326af552d87"
    /// The address of the secret key below (ethereum/tests' usual sender).
    static let sender = "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b"

    /// A valid one-test file, to be broken one field at a time.
    static func document() -> [String: Any] {
        [
            "t1": [
                "env": [
                    "currentCoinbase": "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba",
                    "currentGasLimit": "0xff112233445566", "currentNumber": "0x01",
                    "currentTimestamp": "0x03e8", "currentBaseFee": "0x0a", "currentDifficulty": "0x020000",
                    "currentRandom": "0x0000000000000000000000000000000000000000000000000000000000020000",
                ],
                "pre": [
                    account: ["balance": "0x0de0b6b3a7640000", "code": "0x6001600101600055", "nonce": "0x00",
                              "storage": ["0x01": "0x02", "0x03": "0x00"]],
                ],
                "transaction": [
                    "data": ["0x", "0x01"], "gasLimit": ["0x061a80"], "value": ["0x00", "0x0186a0"],
                    "gasPrice": "0x0a", "nonce": "0x00", "to": account,
                    "secretKey": "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8",
                    "sender": sender,
                ],
                "post": [
                    "Cancun": [[
                        "indexes": ["data": 1, "gas": 0, "value": 1],
                        "hash": "0xe8010ce590f401c9d61fef8ab05bea9bcec24281b795e5868809bc4e515aa530",
                        "logs": "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347",
                        "txbytes": "0x",
                    ]],
                    "Shanghai": [],
                ],
            ],
        ]
    }

    static func load(_ doc: Any) throws -> [StateTest] {
        let data = try JSONSerialization.data(withJSONObject: doc)
        return try StateTestLoader.parse(data, displayName: "stExample/t1.json", fork: "Cancun")
    }

    /// Applies `change` to the test `t1` of the valid document and returns the loading error.
    static func error(_ change: (inout [String: Any]) -> Void) throws -> String {
        var doc = document()
        var test = doc["t1"] as! [String: Any]
        change(&test)
        doc["t1"] = test
        do {
            _ = try load(doc)
        } catch let e as StateTestError {
            return e.description
        }
        Issue.record("the changed file loaded without an error")
        return ""
    }

    static func edit(_ test: inout [String: Any], _ key: String, _ change: (inout [String: Any]) -> Void) {
        var inner = test[key] as! [String: Any]
        change(&inner)
        test[key] = inner
    }

    @Test("a valid file loads: sender from the secret key, zero slots dropped, the fork's cases only")
    func loadsValid() throws {
        let tests = try Self.load(Self.document())
        #expect(tests.count == 1)
        let t = tests[0]
        #expect(t.transaction.sender == (try Address(hex: Self.sender)))
        #expect(t.pre.count == 1)
        #expect(t.pre[0].account.storage == [1: 2])
        #expect(t.pre[0].account.code == [0x60, 0x01, 0x60, 0x01, 0x01, 0x60, 0x00, 0x55])
        #expect(t.cases.count == 1)
        #expect(t.cases[0].dataIndex == 1 && t.cases[0].valueIndex == 1)
        #expect(t.environment.number == 1)
        #expect(t.environment.prevRandao.bytes.last == 0x00 && t.environment.prevRandao.bytes[29] == 0x02)
    }

    @Test("a balance that is not hex names the file, the test, the account and the field")
    func badHexBalance() throws {
        let message = try Self.error { t in
            Self.edit(&t, "pre") { pre in
                var a = pre[Self.account] as! [String: Any]
                a["balance"] = "0x12zz"
                pre[Self.account] = a
            }
        }
        #expect(message == "stExample/t1.json: test t1: pre.\(Self.account).balance: is not a hex number: \"0x12zz\"")
    }

    @Test("a missing field is named with the object that lacks it")
    func missingField() throws {
        let message = try Self.error { t in Self.edit(&t, "env") { $0["currentNumber"] = nil } }
        #expect(message == "stExample/t1.json: test t1: env: has no field \"currentNumber\"")
    }

    @Test("a field of the wrong JSON type is refused")
    func wrongType() throws {
        let message = try Self.error { t in Self.edit(&t, "transaction") { $0["data"] = "0x" } }
        #expect(message == "stExample/t1.json: test t1: transaction.data: is not a JSON array")
        let index = try Self.error { t in
            Self.edit(&t, "post") { post in
                post["Cancun"] = [["indexes": ["data": "0", "gas": 0, "value": 0], "hash": "0x", "logs": "0x"]]
            }
        }
        #expect(index == "stExample/t1.json: test t1: post.Cancun[0].indexes.data: is not an integer")
    }

    @Test("code with an odd number of hex digits is refused")
    func oddCode() throws {
        let message = try Self.error { t in
            Self.edit(&t, "pre") { pre in
                var a = pre[Self.account] as! [String: Any]
                a["code"] = "0x600"
                pre[Self.account] = a
            }
        }
        #expect(message.hasPrefix("stExample/t1.json: test t1: pre.\(Self.account).code: is not hex bytes"))
    }

    @Test("an index beyond the transaction's arrays is refused")
    func indexOutOfRange() throws {
        let message = try Self.error { t in
            Self.edit(&t, "post") { post in
                post["Cancun"] = [["indexes": ["data": 0, "gas": 1, "value": 0],
                                   "hash": "0x" + String(repeating: "00", count: 32),
                                   "logs": "0x" + String(repeating: "00", count: 32)]]
            }
        }
        #expect(message == "stExample/t1.json: test t1: post.Cancun[0].indexes.gas: 1 is out of range: transaction.gasLimit has 1 entries")
    }

    @Test("a sender that is not the secret key's address is refused")
    func senderMismatch() throws {
        let message = try Self.error { t in Self.edit(&t, "transaction") { $0["sender"] = Self.account } }
        #expect(message.hasPrefix("stExample/t1.json: test t1: transaction.sender: \(Self.account) is not the address of secretKey"))
    }

    @Test("a pre-state key that is not an address is refused")
    func badAddressKey() throws {
        let message = try Self.error { t in
            Self.edit(&t, "pre") { pre in pre["0x1234"] = pre[Self.account] }
        }
        #expect(message == "stExample/t1.json: test t1: pre: key \"0x1234\" is not a 20-byte address")
    }

    @Test("a gas limit over 2^64-1 loads, to be judged as an invalid transaction, not a malformed file")
    func hugeGasLimitLoads() throws {
        var doc = Self.document()
        var t = doc["t1"] as! [String: Any]
        Self.edit(&t, "transaction") { $0["gasLimit"] = ["0x010000000000000000"] }
        doc["t1"] = t
        let tests = try Self.load(doc)
        #expect(throws: TransactionBuilder.Undecodable.self) {
            try TransactionBuilder.build(tests[0].transaction, tests[0].cases[0])
        }
    }

    @Test("a file that is not JSON is named in the error")
    func notJSON() {
        #expect(throws: StateTestError(file: "stExample/t1.json", problem: "is not valid JSON")) {
            try StateTestLoader.parse(Data("{\"t1\": ".utf8), displayName: "stExample/t1.json", fork: "Cancun")
        }
    }
}
