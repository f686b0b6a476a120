import Foundation
import Testing
import QuorateCore
import QuorateCrypto
@testable import QuorateEVMRunner

@Suite struct MerklePatriciaTrieTests {
    @Test("the empty trie's root is keccak256 of RLP of the empty string")
    func emptyRoot() throws {
        #expect(MerklePatriciaTrie.root([]) == (try Hash32(hex: "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")))
        #expect(StateCommitment.storageRoot([:]) == MerklePatriciaTrie.emptyRoot)
    }

    /// ethereum/tests TrieTests/trietest.json: insertions and deletions (null) in order.
    @Test("the roots of ethereum/tests' trietest.json are reproduced, deletions included")
    func trieTests() throws {
        let file = try JSONSerialization.jsonObject(with: Fixtures.data("TrieTests/trietest.json")) as! [String: Any]
        #expect(file.count == 4)
        for name in file.keys.sorted() {
            let test = file[name] as! [String: Any]
            var state: [[UInt8]: [UInt8]] = [:]
            for pair in test["in"] as! [[Any]] {
                let key = try text(pair[0])!
                state[key] = try text(pair[1])
            }
            let root = MerklePatriciaTrie.root(state.map { (key: $0.key, value: $0.value) })
            #expect(root.hex == test["root"] as? String, "\(name)")
        }
    }

    /// ethereum/tests TrieTests/hex_encoded_securetrie_test.json: five accounts of a state.
    @Test("the secure trie of ethereum/tests' hex_encoded_securetrie_test.json has its root")
    func secureTrieTest() throws {
        var text = String(decoding: try Fixtures.data("TrieTests/hex_encoded_securetrie_test.json"), as: UTF8.self)
        // The upstream file has a trailing comma after its only test; JSON does not allow it.
        text = text.replacingOccurrences(of: "},\n}", with: "}\n}")
        let file = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        let test = file["test1"] as! [String: Any]
        let entries = try (test["data"] as! [[String]]).map { (key: try Hex.decode($0[0]), value: try Hex.decode($0[1])) }
        #expect(entries.count == 5)
        #expect(MerklePatriciaTrie.secureRoot(entries).hex == test["result"] as? String)
    }

    @Test("a trie of one entry is the hash of its single leaf node")
    func singleKeyRootIsLeafHash() throws {
        // A trie of one entry is a single leaf: RLP([hex-prefix(path, leaf), value]).
        let key: [UInt8] = [0x12, 0x34]
        let value = Array("a value longer than thirty-two bytes to be hashed".utf8)
        let leaf = RLP.encode(.list([.bytes([0x20, 0x12, 0x34]), .bytes(value)]))
        #expect(MerklePatriciaTrie.root([(key: key, value: value)]) == Hash32(Keccak256.hash(leaf)))
    }

    @Test("entry order does not change the root")
    func orderIndependent() {
        let entries: [(key: [UInt8], value: [UInt8])] = (0..<50).map { i in
            (key: Keccak256.hash([UInt8(i)]), value: [UInt8(i), 1, 2])
        }
        #expect(MerklePatriciaTrie.root(entries) == MerklePatriciaTrie.root(entries.reversed()))
    }

    @Test("zero storage slots are absent from the storage root")
    func zeroSlotsAbsent() {
        let withZero = StateCommitment.storageRoot([1: 5, 2: 0])
        let without = StateCommitment.storageRoot([1: 5])
        #expect(withZero == without)
        #expect(without != MerklePatriciaTrie.emptyRoot)
    }

    @Test("the logs hash of no logs is keccak256 of the empty RLP list")
    func emptyLogsHash() throws {
        #expect(StateCommitment.logsHash([]) == (try Hash32(hex: "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347")))
    }

    /// A trie value (UTF-8 text) or a hex one (0x...), as trietest.json writes them; nil for null.
    private func text(_ v: Any) throws -> [UInt8]? {
        guard let s = v as? String else { return nil }
        return s.hasPrefix("0x") ? try Hex.decode(s) : Array(s.utf8)
    }
}
