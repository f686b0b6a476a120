import Foundation
import QuorateCore
import QuorateCrypto
import QuorateTestSupport
import Testing

/// eth-account 0.14.0 as an independent signer: 60 transactions, 20 of each type. eth-account
/// checks no gas rule (several carry data with a 21000 gas limit), so these vectors say nothing
/// about `validateStateless`; they are about bytes, hashes and signatures.
@Suite("eth-account signed transactions")
struct TransactionSigningTests {
    static let expectedCount = 60

    struct Vector {
        let tx: [String: Any]
        let privateKey: [UInt8]
        let sender: String
        let raw: [UInt8]
        let hash: String
        let v: UInt64
        let r: String
        let s: String
    }

    static func vectors() throws -> [Vector] {
        let root = try #require(try CoreFixtures.json("eth-account/signed_transactions.json") as? [String: Any])
        let list = try #require(root["transactions"] as? [[String: Any]])
        return try list.map { t in
            Vector(tx: try #require(t["tx"] as? [String: Any]),
                   privateKey: hex(try #require(t["privateKey"] as? String)),
                   sender: try #require(t["sender"] as? String), raw: hex(try #require(t["raw"] as? String)),
                   hash: try #require(t["hash"] as? String), v: try #require((t["v"] as? NSNumber)?.uint64Value),
                   r: try #require(t["r"] as? String), s: try #require(t["s"] as? String))
        }
    }

    /// The unsigned fields as eth-account was given them (hex quantities, checksummed addresses).
    static func unsigned(_ tx: [String: Any]) throws -> UnsignedTransaction {
        func quantity(_ key: String) throws -> UInt256 {
            let text = try #require(tx[key] as? String, "\(key)")
            return try #require(UInt256(hexQuantity: text), "\(key)")
        }
        func small(_ key: String) throws -> UInt64 { try #require(try quantity(key).uint64, "\(key)") }
        let type: TransactionType = switch tx["type"] as? String {
        case "0x1": .accessList
        case "0x2": .dynamicFee
        default: .legacy
        }
        let accessList = try (tx["accessList"] as? [[String: Any]] ?? []).map { entry in
            AccessListEntry(address: try Address(hex: try #require(entry["address"] as? String)),
                            storageKeys: try (try #require(entry["storageKeys"] as? [String])).map { try Hash32(hex: $0) })
        }
        return UnsignedTransaction(
            type: type, chainId: try small("chainId"), nonce: try small("nonce"),
            gasPrice: type == .dynamicFee ? .zero : try quantity("gasPrice"),
            maxPriorityFeePerGas: type == .dynamicFee ? try quantity("maxPriorityFeePerGas") : .zero,
            maxFeePerGas: type == .dynamicFee ? try quantity("maxFeePerGas") : .zero,
            gasLimit: try small("gas"), to: try Address(hex: try #require(tx["to"] as? String)),
            value: try quantity("value"), data: hex(try #require(tx["data"] as? String)),
            accessList: accessList)
    }

    @Test("every transaction decodes to eth-account's sender, hash and fields, and re-encodes byte for byte")
    func decodeVectors() throws {
        let vectors = try Self.vectors()
        #expect(vectors.count == Self.expectedCount)
        #expect(Dictionary(grouping: vectors) { $0.tx["type"] as? String ?? "legacy" }.mapValues(\.count)
            == ["legacy": 20, "0x1": 20, "0x2": 20])
        for (i, vec) in vectors.enumerated() {
            let tx = try Transaction.decode(raw: vec.raw)
            #expect(tx.hash.hex == vec.hash, "#\(i)")
            #expect(try tx.recoverSender().checksummed == vec.sender, "#\(i)")
            #expect(tx.unsigned == (try Self.unsigned(vec.tx)), "#\(i)")
            #expect(tx.v == UInt256(vec.v), "#\(i)")
            #expect(tx.r == UInt256(hexQuantity: vec.r), "#\(i)")
            #expect(tx.s == UInt256(hexQuantity: vec.s), "#\(i)")
            #expect(tx.raw == vec.raw, "#\(i)")
            #expect(try Transaction(unsigned: tx.unsigned, v: tx.v, r: tx.r, s: tx.s).raw == vec.raw, "#\(i)")
        }
    }

    @Test("signing eth-account's fields with its key reproduces its bytes (RFC 6979)")
    func signVectors() throws {
        for (i, vec) in try Self.vectors().enumerated() {
            let key = try Secp256k1.PrivateKey(bytes: vec.privateKey)
            let tx = try Self.unsigned(vec.tx).signed(with: key)
            #expect(tx.raw == vec.raw, "#\(i)")
            #expect(tx.hash.hex == vec.hash, "#\(i)")
            #expect(Address(key.publicKey.ethereumAddress).checksummed == vec.sender, "#\(i)")
        }
    }
}
