import Testing
import QuorateCore
import QuorateCrypto
@testable import QuorateEVMRunner

@Suite struct MemoryHostTests {
    let a = Address([UInt8](repeating: 0, count: 19) + [0xaa])

    @Test("BLOCKHASH in state tests is keccak256 of the block number in decimal, as the tests were filled")
    func blockHash() {
        let host = MemoryHost()
        #expect(host.blockHash(number: 1).hex == "0xc89efdaa54c0f20c7adf612882df0950f5a951637e0307cdcb4c672f298b8bc6")
        #expect(host.blockHash(number: 255).hex == "0xbebb351b5cf10820d8521e899df75c3dc4c8d740dcf450f315119f5c837945c0")
    }

    @Test("writing zero removes a slot, so the account's storage root is the empty trie's again")
    func zeroRemovesSlot() {
        let host = MemoryHost()
        host.setStorage(of: a, key: 7, value: 9)
        #expect(host.hasStorage(a) && host.storage(of: a, key: 7) == 9)
        host.setStorage(of: a, key: 7, value: 0)
        #expect(!host.hasStorage(a))
        #expect(host.account(a)?.storage.isEmpty == true)
        #expect(StateCommitment.storageRoot(host.account(a)!.storage) == MerklePatriciaTrie.emptyRoot)
    }

    @Test("code hash follows the code, and an account without code has keccak256 of nothing")
    func codeHash() {
        let host = MemoryHost()
        #expect(host.codeHash(at: a) == MemoryHost.emptyCodeHash)
        host.setCode(a, [0x60, 0x00])
        #expect(host.codeHash(at: a) == Hash32(Keccak256.hash([0x60, 0x00])))
        host.setCode(a, [])
        #expect(host.codeHash(at: a).hex == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
    }

    @Test("an account created empty exists until deleted, and deleting drops its storage")
    func existence() {
        let host = MemoryHost()
        #expect(!host.accountExists(a))
        host.createAccount(a)
        #expect(host.accountExists(a) && host.account(a)?.isEmpty == true)
        host.setStorage(of: a, key: 1, value: 1)
        host.deleteAccount(a)
        #expect(!host.accountExists(a) && host.storage(of: a, key: 1) == 0)
    }

    @Test("after a valid transaction an empty coinbase is removed, a non-empty one kept")
    func coinbaseTouch() {
        let runner = StateTestRunner()
        let host = MemoryHost(accounts: [a: MemoryHost.Account(storage: [1: 1])])
        runner.touchCoinbase(host, a)
        #expect(!host.accountExists(a))
        let kept = MemoryHost(accounts: [a: MemoryHost.Account(nonce: 1)])
        runner.touchCoinbase(kept, a)
        #expect(kept.accountExists(a))
    }
}
