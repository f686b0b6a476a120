import QuorateCore
import QuorateState
import QuorateTestSupport
import Testing

/// Counts base reads, to show that the overlay reads each account from the store once.
final class CountingReader: AccountReader {
    let accounts: [Address: Account]
    private(set) var reads = 0
    init(_ accounts: [Address: Account]) { self.accounts = accounts }
    func account(_ address: Address) throws -> Account? {
        reads += 1
        return accounts[address]
    }
    func stateValue(_ key: Hash32) throws -> [UInt8]? { nil }
}

func address(_ n: UInt8) -> Address { Address([UInt8](repeating: 0, count: 19) + [n]) }

@Suite("state overlay")
struct StateOverlayTests {
    @Test("absent accounts read as empty; each account is read from the base once; writes are visible")
    func readsAndWrites() throws {
        let base = CountingReader([address(1): Account(nonce: 3, balance: UInt256(100))])
        var overlay = StateOverlay(base: base)
        #expect(try overlay.account(address(2)) == .empty)
        #expect(try overlay.account(address(1)).nonce == 3)
        #expect(try overlay.account(address(1)).balance == UInt256(100))
        #expect(base.reads == 2)
        overlay.setAccount(address(1), Account(nonce: 4, balance: UInt256(90)))
        #expect(try overlay.account(address(1)) == Account(nonce: 4, balance: UInt256(90)))
        #expect(base.reads == 2)
    }

    @Test("changed accounts come out sorted by address, whatever the order they were set in")
    func changedSorted() {
        var overlay = StateOverlay(base: CountingReader([:]))
        for n: UInt8 in [9, 3, 200, 1, 50] { overlay.setAccount(address(n), Account(nonce: UInt64(n))) }
        overlay.setAccount(address(3), Account(nonce: 33))
        #expect(overlay.changedAccounts.map(\.address) == [1, 3, 9, 50, 200].map(address))
        #expect(overlay.changedAccounts[1].account.nonce == 33)
    }

    @Test("committing blocks through the overlay gives the tree of the accounts, with empty accounts deleted")
    func commitmentMatchesTree() throws {
        var store = MemoryNodeStore()
        var root = SparseMerkleTree.emptyRoot
        var model: [Address: Account] = [:]
        var rng = SeededGenerator(seed: 21)
        for _ in 0..<10 {
            var overlay = StateOverlay(base: CommittedAccounts(root: root, nodes: store))
            for _ in 0..<Int.random(in: 1...20, using: &rng) {
                let who = address(UInt8.random(in: 0...40, using: &rng))
                var account = try overlay.account(who)
                #expect(account == model[who] ?? .empty)
                if Int.random(in: 0..<4, using: &rng) == 0 {
                    account = .empty   // e.g. drained: must leave the tree
                } else {
                    account.nonce += 1
                    account.balance = UInt256(UInt64.random(in: 0...1000, using: &rng))
                }
                overlay.setAccount(who, account)
                model[who] = account.isEmpty ? nil : account
            }
            let update = try overlay.commitment(root: root, reader: store)
            store.insert(update)
            root = update.newRoot
            let expected = Dictionary(uniqueKeysWithValues: model.map { (Hash32.keccak($0.key.bytes), $0.value.encoded()) })
            #expect(root == referenceRoot(expected))
        }
        let committed = CommittedAccounts(root: root, nodes: store)
        for n in UInt8(0)...40 { #expect(try committed.account(address(n)) == model[address(n)]) }
    }
}
