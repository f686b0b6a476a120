import Foundation
import QuorateCore
import QuorateCrypto
import QuorateTestSupport
import Testing

/// ethereum/tests TransactionTests: every file of every folder, judged by the newest fork's
/// column, as geth's runner does: decode, sender recovery, then the stateless rules.
@Suite("Ethereum TransactionTests vectors")
struct TransactionVectorTests {
    /// Oldest to newest. The brief's preference is Prague, then Cancun, then Shanghai; two files
    /// (TransactionWithTooFew/TooManyRLPElements) stop at London, so the rule is "newest present".
    static let forks = ["Frontier", "Homestead", "EIP150", "EIP158", "Byzantium", "Constantinople",
                        "ConstantinopleFix", "Istanbul", "Berlin", "London", "Paris", "Shanghai", "Cancun", "Prague"]
    /// The vectors are filled for mainnet: EIP-155 signatures for another chain are INVALID_CHAINID.
    static let chainId: UInt64 = 1

    static let totalCases = 210
    static let validCases = 50
    static let columnsUsed = ["Cancun": 149, "Shanghai": 59, "London": 2]

    /// Expected refusals that Quorate accepts, by "folder/file", with the reason. The test
    /// asserts these are still accepted, so fixing one forces its removal from this list.
    static let acceptedDespiteException: [String: String] = [:]

    enum Expectation {
        case valid(hash: String, sender: String, intrinsicGas: UInt64)
        case invalid(exception: String, intrinsicGas: UInt64)
    }

    struct Case {
        let id: String  // folder/file (test names repeat across files)
        let txbytes: [UInt8]
        let fork: String
        let expectation: Expectation
    }

    static func loadCases() throws -> [Case] {
        var cases: [Case] = []
        for path in CoreFixtures.files(under: "ethereum/TransactionTests") {
            let file = try #require(try CoreFixtures.json(path) as? [String: [String: Any]])
            let id = String(path.dropFirst("ethereum/TransactionTests/".count).dropLast(".json".count))
            for (_, test) in file {
                let results = try #require(test["result"] as? [String: [String: String]])
                let fork = try #require(forks.last { results[$0] != nil })
                let column = results[fork]!
                let gas = try #require(UInt256(hexQuantity: column["intrinsicGas"] ?? "0x0")?.uint64)
                let expectation: Expectation
                if let exception = column["exception"] {
                    expectation = .invalid(exception: exception, intrinsicGas: gas)
                } else {
                    expectation = .valid(hash: try #require(column["hash"]), sender: try #require(column["sender"]),
                                         intrinsicGas: gas)
                }
                cases.append(Case(id: id, txbytes: hex(try #require(test["txbytes"] as? String)),
                                  fork: fork, expectation: expectation))
            }
        }
        return cases
    }

    /// What a node does with a raw transaction before it can enter a pool: the cheap checks
    /// first (as geth checks the chain id before recovering), the 45 us recovery last.
    static func admit(_ raw: [UInt8]) throws -> (Transaction, Address) {
        let tx = try Transaction.decode(raw: raw)
        try tx.validateStateless(chainId: chainId)
        return (tx, try tx.recoverSender())
    }

    /// Our refusal must be for the reason the vector names: a fragment of our message for each
    /// exception (an RLP_ exception is any "rlp:" error).
    static let reasons: [String: [String]] = [
        "ADDRESS_TOO_LONG": ["too long for address"],
        "ADDRESS_TOO_SHORT": ["too short for address"],
        "EC_RECOVERY_FAIL": ["no sender can be recovered"],
        "GASLIMIT_OVERFLOW": ["rlp: uint overflow, decoding legacy transaction field gasLimit"],
        "GASLIMIT_PRICE_PRODUCT_OVERFLOW": ["gas * maxFeePerGas exceeds 256 bits"],
        "GASPRICE_OVERFLOW": ["rlp: uint overflow, decoding legacy transaction field gasPrice",
                              "rlp: uint overflow, decoding dynamic-fee transaction field maxFeePerGas"],
        "INITCODE_SIZE_EXCEEDED": ["max initcode size exceeded"],
        "INTRINSIC_GAS_TOO_LOW": ["intrinsic gas too low"],
        // Chain id from v is not 1, v encodes no chain id at all, or one above 2^64-1.
        "INVALID_CHAINID": ["invalid chain id for signer", "expected 27 or 28, or chainId", "above 2^64-1"],
        "INVALID_SIGNATURE_VRS": ["invalid transaction v, r, s values", "rlp: uint overflow, decoding legacy transaction field r",
                                  "rlp: uint overflow, decoding legacy transaction field s"],
        "NONCE_OVERFLOW": ["rlp: uint overflow, decoding legacy transaction field nonce"],
        "NONCE_TOO_BIG": ["nonce has max value"],
        "PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS_2": ["max priority fee per gas higher than max fee per gas"],
        "PRIORITY_OVERFLOW": ["rlp: uint overflow, decoding dynamic-fee transaction field maxPriorityFeePerGas"],
        // RLPTransactionGivenAsArray and aCrashingRLP start with an RLP string prefix: not a list,
        // and not a type byte either.
        "TYPE_NOT_SUPPORTED": ["transaction type not supported", "rlp: expected input list for legacy transaction"],
        "VALUE_OVERFLOW": ["rlp: uint overflow, decoding legacy transaction field value"],
    ]

    static func refusalMatches(exception: String, message: String) -> Bool {
        let name = exception.replacingOccurrences(of: "TransactionException.", with: "")
        if name.hasPrefix("RLP_") { return message.hasPrefix("rlp: ") }
        return reasons[name, default: []].contains { message.contains($0) }
    }

    @Test("valid vectors decode to their hash and sender; invalid ones are refused")
    func vectors() throws {
        let cases = try Self.loadCases()
        #expect(cases.count == Self.totalCases)
        #expect(Dictionary(grouping: cases, by: \.fork).mapValues(\.count) == Self.columnsUsed)
        var valid = 0
        var skipped: [String] = []
        for c in cases {
            switch c.expectation {
            case .valid(let hash, let sender, let gas):
                valid += 1
                do {
                    let (tx, from) = try Self.admit(c.txbytes)
                    #expect(tx.hash.hex == hash, "\(c.id)")
                    #expect(from.hex == sender.lowercased(), "\(c.id)")
                    #expect(tx.intrinsicGas == gas, "\(c.id)")
                    #expect(tx.raw == c.txbytes, "\(c.id)")
                    #expect(try Transaction(unsigned: tx.unsigned, v: tx.v, r: tx.r, s: tx.s).raw == c.txbytes, "\(c.id)")
                } catch {
                    Issue.record("\(c.id): expected valid, refused with: \(error)")
                }
            case .invalid(let exception, let gas):
                if let tx = try? Transaction.decode(raw: c.txbytes), gas != 0 {
                    #expect(tx.intrinsicGas == gas, "\(c.id): intrinsic gas")
                }
                var refusal: String?
                do { _ = try Self.admit(c.txbytes) } catch { refusal = "\(error)" }
                if Self.acceptedDespiteException[c.id] != nil {
                    skipped.append(c.id)
                    #expect(refusal == nil, "\(c.id) is now refused: remove it from acceptedDespiteException")
                } else if let refusal {
                    #expect(Self.refusalMatches(exception: exception, message: refusal),
                            "\(c.id): expected \(exception), refused with: \(refusal)")
                } else {
                    Issue.record("\(c.id): expected \(exception), but accepted")
                }
            }
        }
        #expect(valid == Self.validCases)
        #expect(skipped.sorted() == Self.acceptedDespiteException.keys.sorted())
    }
}
