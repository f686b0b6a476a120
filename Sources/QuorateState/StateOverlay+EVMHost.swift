import QuorateCore
import QuorateEVM

/// The block's state overlay as the EVM sees it. The executor moves the overlay in for one
/// transaction and takes it back after (no copy: the overlay's tables stay uniquely owned).
///
/// Host reads cannot throw; a store that fails a read (a missing node) is remembered in
/// `failure`, answered with zero, and rethrown by the executor, which then discards the block.
final class OverlayHost: EVMHost {
    var state: StateOverlay
    let blockHashes: (UInt64) -> Hash32
    /// Accounts the EVM created in this transaction: they exist even while still empty.
    private var created: Set<Address> = []
    private(set) var failure: Error?

    init(state: consuming StateOverlay, blockHashes: @escaping (UInt64) -> Hash32) {
        self.state = state
        self.blockHashes = blockHashes
    }

    private func read<T>(_ fallback: T, _ body: () throws -> T) -> T {
        do { return try body() } catch {
            if failure == nil { failure = error }
            return fallback
        }
    }

    private func account(_ a: Address) -> Account { read(.empty) { try state.account(a) } }

    func accountExists(_ address: Address) -> Bool { created.contains(address) || !account(address).isEmpty }
    func balance(of address: Address) -> UInt256 { account(address).balance }
    func nonce(of address: Address) -> UInt64 { account(address).nonce }
    func code(at address: Address) -> [UInt8] {
        let a = account(address)
        return a.hasCode ? read([]) { try state.code(of: a) } : []
    }
    func codeHash(at address: Address) -> Hash32 { account(address).codeHash }
    func storage(of address: Address, key: UInt256) -> UInt256 { read(.zero) { try state.storage(address, key) } }
    func hasStorage(_ address: Address) -> Bool { read(false) { try state.hasStorage(address) } }
    func blockHash(number: UInt64) -> Hash32 { blockHashes(number) }

    func createAccount(_ address: Address) { created.insert(address) }

    func setBalance(_ address: Address, _ value: UInt256) {
        var a = account(address)
        a.balance = value
        state.setAccount(address, a)
    }

    func setNonce(_ address: Address, _ value: UInt64) {
        var a = account(address)
        a.nonce = value
        state.setAccount(address, a)
    }

    func setCode(_ address: Address, _ code: [UInt8]) { read(()) { try state.setCode(address, code) } }

    func setStorage(of address: Address, key: UInt256, value: UInt256) { state.setStorage(address, key, value) }

    func deleteAccount(_ address: Address) {
        created.remove(address)
        read(()) { try state.deleteContractAccount(address) }
    }
}
