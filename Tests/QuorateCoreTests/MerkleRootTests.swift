import QuorateCore
import QuorateCrypto
import QuorateTestSupport
import Testing

@Suite("Merkle root of transactions and receipts")
struct MerkleRootTests {
    static let a = TestKeys.hash(0xa1), b = TestKeys.hash(0xb2), c = TestKeys.hash(0xc3)

    static func leaf(_ h: Hash32) -> Hash32 { Hash32.keccak([0x00] + h.bytes) }
    static func node(_ l: Hash32, _ r: Hash32) -> Hash32 { Hash32.keccak([0x01] + l.bytes + r.bytes) }

    @Test("no leaves: the zero hash")
    func empty() {
        #expect(MerkleRoot.compute([]) == .zero)
    }

    @Test("one leaf: keccak(0x00 || leaf), never the leaf itself")
    func oneLeaf() {
        #expect(MerkleRoot.compute([Self.a]) == Self.leaf(Self.a))
        #expect(MerkleRoot.compute([Self.a]) != Self.a)
    }

    @Test("two leaves: keccak(0x01 || leaf(a) || leaf(b)); order matters")
    func twoLeaves() {
        #expect(MerkleRoot.compute([Self.a, Self.b]) == Self.node(Self.leaf(Self.a), Self.leaf(Self.b)))
        #expect(MerkleRoot.compute([Self.b, Self.a]) != MerkleRoot.compute([Self.a, Self.b]))
    }

    @Test("three leaves: the odd leaf is promoted unchanged")
    func threeLeaves() {
        let expected = Self.node(Self.node(Self.leaf(Self.a), Self.leaf(Self.b)), Self.leaf(Self.c))
        #expect(MerkleRoot.compute([Self.a, Self.b, Self.c]) == expected)
    }

    @Test("five leaves: two full levels, then the promoted fifth")
    func fiveLeaves() {
        let d = TestKeys.hash(0xd4), e = TestKeys.hash(0xe5)
        let left = Self.node(Self.node(Self.leaf(Self.a), Self.leaf(Self.b)), Self.node(Self.leaf(Self.c), Self.leaf(d)))
        #expect(MerkleRoot.compute([Self.a, Self.b, Self.c, d, e]) == Self.node(left, Self.leaf(e)))
    }

    @Test("an inner node cannot pass for a leaf: a two-leaf root differs from a one-leaf list of that node")
    func domainSeparation() {
        let inner = Self.node(Self.leaf(Self.a), Self.leaf(Self.b))
        #expect(MerkleRoot.compute([inner]) != MerkleRoot.compute([Self.a, Self.b]))
        // A duplicated last leaf is not the same list (no Bitcoin-style duplication).
        #expect(MerkleRoot.compute([Self.a, Self.b, Self.c]) != MerkleRoot.compute([Self.a, Self.b, Self.c, Self.c]))
    }
}
