import Foundation
import QuorateCore
import QuorateCrypto

/// Reads ethereum/tests state test files (the filled JSON format of GeneralStateTests).
public enum StateTestLoader {
    /// Reads and parses one file; `displayName` is how errors name it.
    public static func load(path: String, displayName: String, fork: String) throws -> [StateTest] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StateTestError(file: displayName, problem: "cannot be read")
        }
        return try parse(data, displayName: displayName, fork: fork)
    }

    /// The tests of a file in name order, each with the cases of `fork` (none if the file has
    /// no column for it).
    public static func parse(_ data: Data, displayName: String, fork: String) throws -> [StateTest] {
        let raw: Any
        do {
            raw = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw StateTestError(file: displayName, problem: "is not valid JSON")
        }
        guard let file = raw as? [String: Any] else {
            throw StateTestError(file: displayName, problem: "is not a JSON object of tests")
        }
        var tests: [StateTest] = []
        for name in file.keys.sorted() {
            do {
                tests.append(try parseTest(JSONValue(raw: file[name]!, path: ""), name: name, fork: fork))
            } catch let e as FieldError {
                throw StateTestError(file: displayName, test: name, field: e.field.isEmpty ? nil : e.field,
                                     problem: e.problem)
            } catch {
                throw StateTestError(file: displayName, test: name, problem: "\(error)")
            }
        }
        return tests
    }

    static func parseTest(_ t: JSONValue, name: String, fork: String) throws -> StateTest {
        let env = try parseEnvironment(t.field("env"))
        var pre: [(Address, TestAccount)] = []
        for (key, value) in try t.field("pre").members() {
            guard let bytes = HexText.bytes(key), bytes.count == 20 else {
                throw FieldError(field: "pre", problem: "key \"\(key)\" is not a 20-byte address")
            }
            pre.append((Address(bytes), try parseAccount(value)))
        }
        let tx = try parseTransaction(t.field("transaction"))
        var cases: [TestPostCase] = []
        if let column = try t.field("post").optionalField(fork) {
            for c in try column.array() { cases.append(try parseCase(c, transaction: tx)) }
        }
        return StateTest(name: name, environment: env, pre: pre, transaction: tx, cases: cases)
    }

    static func parseEnvironment(_ e: JSONValue) throws -> TestEnvironment {
        let randao: Hash32
        if let r = try e.optionalField("currentRandom") {
            randao = Hash32(try r.uint256().bigEndianBytes)
        } else {
            randao = Hash32(try e.field("currentDifficulty").uint256().bigEndianBytes)
        }
        return TestEnvironment(
            coinbase: try e.field("currentCoinbase").address(),
            gasLimit: try e.field("currentGasLimit").uint64(),
            number: try e.field("currentNumber").uint64(),
            timestamp: try e.field("currentTimestamp").uint64(),
            // What geth's runner assumes for a London-or-later test that gives none.
            baseFee: try e.optionalField("currentBaseFee")?.uint256() ?? 10,
            prevRandao: randao,
            excessBlobGas: try e.optionalField("currentExcessBlobGas")?.uint64() ?? 0)
    }

    static func parseAccount(_ a: JSONValue) throws -> TestAccount {
        var storage: [UInt256: UInt256] = [:]
        for (key, value) in try a.field("storage").members() {
            guard let k = HexText.number(key), k.count <= 32, let slot = UInt256(bigEndian: k) else {
                throw FieldError(field: "\(a.path).storage", problem: "key \"\(key)\" is not a 256-bit hex number")
            }
            let v = try value.uint256()
            if !v.isZero { storage[slot] = v }
        }
        return TestAccount(balance: try a.field("balance").uint256(), nonce: try a.field("nonce").uint64(),
                           code: try a.field("code").bytes(), storage: storage)
    }

    static func parseTransaction(_ t: JSONValue) throws -> TestTransaction {
        var data: [[UInt8]] = []
        for d in try t.field("data").array() { data.append(try d.bytes()) }
        var gas: [[UInt8]] = []
        for g in try t.field("gasLimit").array() { gas.append(try g.hexNumberBytes()) }
        var value: [[UInt8]] = []
        for v in try t.field("value").array() { value.append(try v.hexNumberBytes()) }
        let toText = try t.field("to").string()
        let to: Address? = toText.isEmpty ? nil : try t.field("to").address()
        return TestTransaction(
            data: data, gasLimit: gas, value: value,
            accessLists: try parseAccessLists(t.optionalField("accessLists")),
            nonce: try t.field("nonce").hexNumberBytes(),
            to: to,
            sender: try sender(of: t),
            gasPrice: try t.optionalField("gasPrice")?.hexNumberBytes(),
            maxFeePerGas: try t.optionalField("maxFeePerGas")?.hexNumberBytes(),
            maxPriorityFeePerGas: try t.optionalField("maxPriorityFeePerGas")?.hexNumberBytes(),
            blobVersionedHashes: try t.optionalField("blobVersionedHashes")?.array().map { try $0.hash() },
            maxFeePerBlobGas: try t.optionalField("maxFeePerBlobGas")?.hexNumberBytes())
    }

    /// The secret key decides (it is what signed `txbytes`); a `sender` that disagrees with
    /// it is a malformed file.
    static func sender(of t: JSONValue) throws -> Address {
        let given = try t.optionalField("sender")?.address()
        guard let keyField = try t.optionalField("secretKey") else {
            guard let given else { throw t.fail("has neither \"secretKey\" nor \"sender\"") }
            return given
        }
        let key: Secp256k1.PrivateKey
        do {
            key = try Secp256k1.PrivateKey(bytes: try keyField.bytes())
        } catch let e as FieldError {
            throw e
        } catch {
            throw keyField.fail("is not a secp256k1 private key: \(error)")
        }
        let derived = Address(key.publicKey.ethereumAddress)
        if let given, given != derived {
            throw FieldError(field: "\(t.path).sender", problem: "\(given.hex) is not the address of secretKey (\(derived.hex))")
        }
        return derived
    }

    static func parseAccessLists(_ v: JSONValue?) throws -> [[TestAccessListEntry]?]? {
        guard let v else { return nil }
        var lists: [[TestAccessListEntry]?] = []
        for list in try v.array() {
            if list.isNull {
                lists.append(nil)
                continue
            }
            var entries: [TestAccessListEntry] = []
            for entry in try list.array() {
                var keys: [UInt256] = []
                for k in try entry.field("storageKeys").array() { keys.append(try k.uint256()) }
                entries.append(TestAccessListEntry(address: try entry.field("address").address(), storageKeys: keys))
            }
            lists.append(entries)
        }
        return lists
    }

    static func parseCase(_ c: JSONValue, transaction tx: TestTransaction) throws -> TestPostCase {
        let indexes = try c.field("indexes")
        let d = try index(indexes.field("data"), count: tx.data.count, of: "data")
        let g = try index(indexes.field("gas"), count: tx.gasLimit.count, of: "gasLimit")
        let v = try index(indexes.field("value"), count: tx.value.count, of: "value")
        if let lists = tx.accessLists, lists.count != tx.data.count {
            throw FieldError(field: "transaction.accessLists",
                             problem: "has \(lists.count) entries for \(tx.data.count) data entries")
        }
        return TestPostCase(dataIndex: d, gasIndex: g, valueIndex: v,
                            stateRoot: try c.field("hash").hash(), logsHash: try c.field("logs").hash(),
                            txBytes: try c.optionalField("txbytes")?.bytes(),
                            expectException: try c.optionalField("expectException")?.string())
    }

    static func index(_ v: JSONValue, count: Int, of name: String) throws -> Int {
        let i = try v.int()
        guard i >= 0 && i < count else {
            throw v.fail("\(i) is out of range: transaction.\(name) has \(count) entries")
        }
        return i
    }
}
