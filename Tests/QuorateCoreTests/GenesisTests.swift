import Foundation
import QuorateCore
import QuorateCrypto
import QuorateTestSupport
import Testing

@Suite("genesis files")
struct GenesisTests {
    static let v1 = TestKeys.address(TestKeys.key(1)), v2 = TestKeys.address(TestKeys.key(2))
    static let nodeKey1 = Hex.encode(TestKeys.key(101).publicKey.compressed, prefix: true)
    static let funded = TestKeys.addr(0x9f)

    /// The format of Genesis/README.md, every key set.
    static let documented = """
    {
      "chainId": 1337,
      "timestampMs": 1700000000000,
      "validators": [
        { "address": "\(v2.checksummed)", "power": 2 },
        { "address": "\(v1.hex)", "nodeKey": "\(nodeKey1)", "power": 1 }
      ],
      "alloc": {
        "\(funded.checksummed)": { "balance": "1000000000000000000000" },
        "0x00000000000000000000000000000000000000aa": { "balance": "0x10" }
      },
      "consensus": {
        "timeoutProposeMs": 1001, "timeoutPrevoteMs": 502, "timeoutPrecommitMs": 503,
        "timeoutDeltaMs": 504, "timeoutMaxMs": 10005,
        "blockIntervalMsMin": 6, "heartbeatIntervalMs": 10007,
        "maxBlockTransactions": 10008, "maxBlockBytes": 8388609
      },
      "fees": { "baseFeePerGas": "7", "blockGasLimit": 10000000011, "maxTransactionDataBytes": 32770 }
    }
    """

    static func parse(_ text: String) throws -> Genesis { try Genesis(json: Array(text.utf8)) }

    /// A minimal valid file with `extra` spliced into the top-level object.
    static func minimal(_ extra: String = "", validators: String? = nil) -> String {
        let vs = validators ?? #"[{"address": "\#(v1.hex)"}]"#
        return #"{"chainId": 5, "validators": \#(vs)\#(extra.isEmpty ? "" : ", " + extra)}"#
    }

    static func sample() throws -> Genesis { try parse(documented) }

    @Test("parses the documented format: every field lands where it belongs")
    func parsesDocumentedFormat() throws {
        let g = try Self.sample()
        #expect(g.chainId == 1337)
        #expect(g.timestampMs == 1_700_000_000_000)
        #expect(g.validators.count == 2)
        #expect(g.validators.power(of: Self.v1) == 1 && g.validators.power(of: Self.v2) == 2)
        let first = try #require(g.validators.validators.first { $0.address == Self.v1 })
        #expect(first.nodeKey == TestKeys.key(101).publicKey.compressed)
        #expect(g.validators.validators.first { $0.address == Self.v2 }?.nodeKey == [])
        #expect(g.alloc.count == 2)
        #expect(g.alloc.map(\.address) == [try Address(hex: "0x00000000000000000000000000000000000000aa"), Self.funded])
        #expect(g.alloc.first { $0.address == Self.funded }?.balance == UInt256(decimal: "1000000000000000000000"))
        #expect(g.alloc.first { $0.address != Self.funded }?.balance == 16)
        #expect(g.consensus.timeoutProposeMs == 1001 && g.consensus.timeoutPrevoteMs == 502)
        #expect(g.consensus.timeoutPrecommitMs == 503 && g.consensus.timeoutDeltaMs == 504)
        #expect(g.consensus.timeoutMaxMs == 10005 && g.consensus.blockIntervalMsMin == 6)
        #expect(g.consensus.heartbeatIntervalMs == 10007 && g.consensus.maxBlockTransactions == 10008)
        #expect(g.consensus.maxBlockBytes == 8_388_609)
        #expect(g.fees.baseFeePerGas == 7 && g.fees.blockGasLimit == 10_000_000_011 && g.fees.maxTransactionDataBytes == 32770)
    }

    @Test("Genesis/dev.json parses, with the README's defaults, and round-trips")
    func devGenesis() throws {
        let bytes = try RepositoryFiles.bytes("Genesis/dev.json")
        let g = try Genesis(json: bytes)
        #expect(g.chainId == 1337 && g.timestampMs == 0)
        #expect(g.validators.count == 1 && g.validators.validators[0].power == 1 && g.validators.validators[0].nodeKey.count == 33)
        #expect(g.alloc.count == 2)
        #expect(g.consensus == ConsensusParams() && g.fees == FeeParams())
        #expect(try Genesis(json: g.jsonBytes()) == g)
    }

    @Test("omitted keys take the documented defaults")
    func defaults() throws {
        let g = try Self.parse(Self.minimal())
        #expect(g.chainId == 5 && g.timestampMs == 0 && g.alloc.isEmpty)
        #expect(g.validators.validators.map(\.power) == [1])
        #expect(g.consensus == ConsensusParams())
        #expect(g.fees == FeeParams())
        #expect(g.consensus.timeoutProposeMs == 1000 && g.consensus.maxBlockBytes == 8 << 20)
        #expect(g.fees.baseFeePerGas == 0 && g.fees.blockGasLimit == 10_000_000_000 && g.fees.maxTransactionDataBytes == 131072)
    }

    @Test("integers may be numbers, decimal strings or 0x strings")
    func integerForms() throws {
        let g = try Self.parse(Self.minimal(#""timestampMs": "0x10", "consensus": {"maxBlockTransactions": "12"}, "fees": {"baseFeePerGas": 9, "blockGasLimit": "0x5208"}"#))
        #expect(g.timestampMs == 16 && g.consensus.maxBlockTransactions == 12)
        #expect(g.fees.baseFeePerGas == 9 && g.fees.blockGasLimit == 21000)
        let big = try Self.parse(Self.minimal(#""alloc": {"\#(Self.funded.hex)": {"balance": "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"}}"#))
        #expect(big.alloc.first?.balance == .max)
        let maxChain = try Self.parse(#"{"chainId": "18446744073709551615", "validators": [{"address": "\#(Self.v1.hex)"}]}"#)
        #expect(maxChain.chainId == .max)
    }

    @Test("unknown keys are refused, with the key named, at every level")
    func unknownKeys() throws {
        expectError(containing: #"unknown key "chainID" in genesis"#) {
            _ = try Self.parse(Self.minimal(#""chainID": 5"#))
        }
        expectError(containing: #"unknown key "timeoutPropose" in consensus"#) {
            _ = try Self.parse(Self.minimal(#""consensus": {"timeoutPropose": 5}"#))
        }
        expectError(containing: #"unknown key "baseFee" in fees"#) {
            _ = try Self.parse(Self.minimal(#""fees": {"baseFee": "1"}"#))
        }
        expectError(containing: #"unknown key "weight" in validators[0]"#) {
            _ = try Self.parse(Self.minimal(validators: #"[{"address": "\#(Self.v1.hex)", "weight": 2}]"#))
        }
        expectError(containing: #"unknown key "nonce" in alloc["#) {
            _ = try Self.parse(Self.minimal(#""alloc": {"\#(Self.funded.hex)": {"balance": "1", "nonce": 1}}"#))
        }
    }

    @Test("a bad chain id is refused: missing, zero, negative, fractional, too large, not a number")
    func badChainId() throws {
        let vs = #"[{"address": "\#(Self.v1.hex)"}]"#
        expectError(containing: "chainId must be a non-negative integer") { _ = try Self.parse(#"{"validators": \#(vs)}"#) }
        expectError(containing: "chainId must be positive") { _ = try Self.parse(#"{"chainId": 0, "validators": \#(vs)}"#) }
        for bad in ["-1", "1.5", "true", #""abc""#, #""18446744073709551616""#, "18446744073709551616", "[1]", "null"] {
            expectError(containing: "chainId must be a non-negative integer below 2^64") {
                _ = try Self.parse(#"{"chainId": \#(bad), "validators": \#(vs)}"#)
            }
        }
    }

    @Test("bad addresses and node keys are refused")
    func badAddresses() throws {
        expectError(containing: "validators[0].address must be a 20-byte hex address") {
            _ = try Self.parse(Self.minimal(validators: #"[{"address": "0x1234"}]"#))
        }
        expectError(containing: "validators[1].address must be a 20-byte hex address") {
            _ = try Self.parse(Self.minimal(validators: #"[{"address": "\#(Self.v1.hex)"}, {"address": "0xzz\#(String(Self.v2.hex.dropFirst(4)))"}]"#))
        }
        expectError(containing: "validators[0].address must be a 20-byte hex address") {
            _ = try Self.parse(Self.minimal(validators: #"[{"power": 1}]"#))
        }
        expectError(containing: "validators[0].nodeKey must be a 33-byte compressed public key") {
            _ = try Self.parse(Self.minimal(validators: #"[{"address": "\#(Self.v1.hex)", "nodeKey": "0x0102"}]"#))
        }
        expectError(containing: "alloc key 0x1234 is not an address") {
            _ = try Self.parse(Self.minimal(#""alloc": {"0x1234": {"balance": "1"}}"#))
        }
        expectError(containing: "validators must be a non-empty array") { _ = try Self.parse(Self.minimal(validators: "[]")) }
        expectError(containing: "validators must be a non-empty array") { _ = try Self.parse(Self.minimal(validators: "{}")) }
        expectError(containing: "validators[0] must be an object") { _ = try Self.parse(Self.minimal(validators: "[1]")) }
    }

    @Test("duplicate validators, duplicate alloc entries (in any spelling) and zero power are refused")
    func duplicatesAndZeroPower() throws {
        expectError(containing: "validator \(Self.v1) is listed twice") {
            _ = try Self.parse(Self.minimal(validators: #"[{"address": "\#(Self.v1.hex)"}, {"address": "\#(Self.v1.checksummed)"}]"#))
        }
        expectError(containing: "alloc lists \(Self.funded) twice") {
            _ = try Self.parse(Self.minimal(#""alloc": {"\#(Self.funded.hex)": {"balance": "1"}, "\#(Self.funded.hex.uppercased().replacingOccurrences(of: "0X", with: "0x"))": {"balance": "2"}}"#))
        }
        expectError(containing: "validator \(Self.v1) has zero voting power") {
            _ = try Self.parse(Self.minimal(validators: #"[{"address": "\#(Self.v1.hex)", "power": 0}]"#))
        }
    }

    @Test("balances and parameters out of range are refused")
    func outOfRange() throws {
        expectError(containing: "alloc[\(Self.funded.hex)].balance must be") {
            _ = try Self.parse(Self.minimal(#""alloc": {"\#(Self.funded.hex)": {"balance": "-1"}}"#))
        }
        expectError(containing: "balance must be") {
            _ = try Self.parse(Self.minimal(#""alloc": {"\#(Self.funded.hex)": {"balance": "0x1\#(String(repeating: "0", count: 64))"}}"#))
        }
        expectError(containing: "balance must be") {
            _ = try Self.parse(Self.minimal(#""alloc": {"\#(Self.funded.hex)": {"balance": 1.5}}"#))
        }
        expectError(containing: "must be an object with a balance") {
            _ = try Self.parse(Self.minimal(#""alloc": {"\#(Self.funded.hex)": {}}"#))
        }
        expectError(containing: "consensus.maxBlockTransactions must be 1...100000") {
            _ = try Self.parse(Self.minimal(#""consensus": {"maxBlockTransactions": 0}"#))
        }
        expectError(containing: "consensus.maxBlockTransactions must be 1...100000") {
            _ = try Self.parse(Self.minimal(#""consensus": {"maxBlockTransactions": 100001}"#))
        }
        expectError(containing: "consensus.maxBlockBytes must be 1...67108864") {
            _ = try Self.parse(Self.minimal(#""consensus": {"maxBlockBytes": 67108865}"#))
        }
        #expect(try Self.parse(Self.minimal(#""consensus": {"maxBlockBytes": 67108864}"#)).consensus.maxBlockBytes == 64 << 20)
        expectError(containing: "timeoutMaxMs must be at least timeoutProposeMs") {
            _ = try Self.parse(Self.minimal(#""consensus": {"timeoutProposeMs": 20000}"#))
        }
        expectError(containing: "consensus.timeoutDeltaMs must be a non-negative integer") {
            _ = try Self.parse(Self.minimal(#""consensus": {"timeoutDeltaMs": -5}"#))
        }
        expectError(containing: "consensus must be an object") { _ = try Self.parse(Self.minimal(#""consensus": 5"#)) }
        expectError(containing: "fees must be an object") { _ = try Self.parse(Self.minimal(#""fees": []"#)) }
        expectError(containing: "alloc must be an object") { _ = try Self.parse(Self.minimal(#""alloc": []"#)) }
    }

    @Test("a balance written as a JSON number above 2^53 is refused or read exactly, never rounded")
    func bigNumericBalance() throws {
        // 2^53 + 1 is not a double: reading it through one would silently give 2^53.
        let text = Self.minimal(#""alloc": {"\#(Self.funded.hex)": {"balance": 9007199254740993}}"#)
        do {
            let g = try Self.parse(text)
            #expect(g.alloc.first?.balance == UInt256(9_007_199_254_740_993))
        } catch {
            #expect("\(error)".contains("balance"))
        }
    }

    @Test("not JSON, or not an object, is refused")
    func notJSON() throws {
        expectError(containing: "not valid JSON") { _ = try Self.parse("{chainId: 5") }
        expectError(containing: "not valid JSON") { _ = try Self.parse("") }
        expectError(containing: "must hold a JSON object") { _ = try Self.parse("[1, 2]") }
        expectError(containing: "exceeds the limit") {
            _ = try Genesis(json: [UInt8](repeating: 0x20, count: Genesis.maxFileBytes + 1))
        }
    }

    @Test("jsonBytes round-trips: parse(json(g)) == g, with the same content hash")
    func jsonRoundTrip() throws {
        let g = try Self.sample()
        let again = try Genesis(json: g.jsonBytes())
        #expect(again == g)
        #expect(again.contentHash == g.contentHash)
        #expect(again.jsonBytes() == g.jsonBytes())
    }

    @Test("jsonBytes round-trips a validator without a node key and the defaults")
    func jsonRoundTripWithoutNodeKey() throws {
        let g = try Self.parse(Self.minimal())
        #expect(g.validators.validators[0].nodeKey.isEmpty)
        #expect(try Genesis(json: g.jsonBytes()) == g)
    }

    @Test("jsonBytes round-trips the largest values: 2^64-1 integers, 2^256-1 balances")
    func jsonRoundTripExtremes() throws {
        var consensus = ConsensusParams()
        consensus.timeoutMaxMs = .max
        consensus.heartbeatIntervalMs = (1 << 53) + 1
        var fees = FeeParams()
        fees.baseFeePerGas = .max
        fees.blockGasLimit = .max
        fees.maxTransactionDataBytes = (1 << 60) + 3
        let g = Genesis(chainId: .max, timestampMs: .max - 1,
                        validators: TestKeys.validators(3, powers: [1, (1 << 62) + 1, 3]).set,
                        alloc: [(TestKeys.addr(1), .max), (TestKeys.addr(2), 0), (TestKeys.addr(3), UInt256(UInt64.max))],
                        consensus: consensus, fees: fees)
        let again = try Genesis(json: g.jsonBytes())
        #expect(again == g)
        #expect(again.contentHash == g.contentHash)
    }

    @Test("the content hash differs when any parameter differs")
    func contentHashCoversEverything() throws {
        let g = try Self.sample()
        var seen: Set<Hash32> = [g.contentHash]
        func check(_ name: String, _ mutate: (inout Genesis) -> Void) {
            var copy = g
            mutate(&copy)
            #expect(copy != g, "\(name)")
            #expect(seen.insert(copy.contentHash).inserted, "changing \(name) must change the content hash")
        }
        check("chainId") { $0.chainId += 1 }
        check("timestampMs") { $0.timestampMs += 1 }
        check("validator power") { $0.validators = try! ValidatorSet($0.validators.validators.map { Validator(address: $0.address, nodeKey: $0.nodeKey, power: $0.power + 1) }) }
        check("validator node key") { $0.validators = try! ValidatorSet($0.validators.validators.map { Validator(address: $0.address, nodeKey: [], power: $0.power) }) }
        check("validator added") { $0.validators = try! ValidatorSet($0.validators.validators + [Validator(address: TestKeys.addr(0x33), nodeKey: [])]) }
        check("alloc balance") { $0.alloc[0].balance = $0.alloc[0].balance + 1 }
        check("alloc address") { $0.alloc[0].address = TestKeys.addr(0x34) }
        check("alloc entry added") { $0.alloc.append((TestKeys.addr(0xfe), 1)) }
        check("timeoutProposeMs") { $0.consensus.timeoutProposeMs += 1 }
        check("timeoutPrevoteMs") { $0.consensus.timeoutPrevoteMs += 1 }
        check("timeoutPrecommitMs") { $0.consensus.timeoutPrecommitMs += 1 }
        check("timeoutDeltaMs") { $0.consensus.timeoutDeltaMs += 1 }
        check("timeoutMaxMs") { $0.consensus.timeoutMaxMs += 1 }
        check("blockIntervalMsMin") { $0.consensus.blockIntervalMsMin += 1 }
        check("heartbeatIntervalMs") { $0.consensus.heartbeatIntervalMs += 1 }
        check("maxBlockTransactions") { $0.consensus.maxBlockTransactions += 1 }
        check("maxBlockBytes") { $0.consensus.maxBlockBytes += 1 }
        check("baseFeePerGas") { $0.fees.baseFeePerGas = $0.fees.baseFeePerGas + 1 }
        check("blockGasLimit") { $0.fees.blockGasLimit += 1 }
        check("maxTransactionDataBytes") { $0.fees.maxTransactionDataBytes += 1 }
        #expect(seen.count == 21)
    }

    @Test("alloc is sorted by address, whatever the file's order")
    func allocSorted() throws {
        let g = Genesis(chainId: 1, timestampMs: 0, validators: TestKeys.validators(1).set,
                        alloc: [(TestKeys.addr(3), 1), (TestKeys.addr(1), 2), (TestKeys.addr(2), 3)])
        #expect(g.alloc.map(\.address) == [TestKeys.addr(1), TestKeys.addr(2), TestKeys.addr(3)])
    }
}
