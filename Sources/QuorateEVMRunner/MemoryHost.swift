import QuorateCore
import QuorateCrypto
import QuorateEVM

/// The state-test runner's world: every account in memory, nothing persisted.
public final class MemoryHost: EVMHost {
    public struct Account: Equatable, Sendable {
        public var balance: UInt256
        public var nonce: UInt64
        public private(set) var code: [UInt8]
        /// Kept beside the code so EXTCODEHASH and the state root never hash it again.
        public private(set) var codeHash: Hash32
        /// Only non-zero values: writing zero removes the slot.
        public var storage: [UInt256: UInt256]

        public init(balance: UInt256 = 0, nonce: UInt64 = 0, code: [UInt8] = [], storage: [UInt256: UInt256] = [:]) {
            self.balance = balance
            self.nonce = nonce
            self.code = code
            self.codeHash = MemoryHost.hashOfCode(code)
            self.storage = storage.filter { !$0.value.isZero }
        }

        mutating func setCode(_ code: [UInt8]) {
            self.code = code
            self.codeHash = MemoryHost.hashOfCode(code)
        }

        /// EIP-161's empty: no code, nonce 0, balance 0.
        public var isEmpty: Bool { nonce == 0 && balance.isZero && code.isEmpty }
    }

    /// keccak256 of the empty string.
    public static let emptyCodeHash = Hash32(Keccak256.hash([]))

    static func hashOfCode(_ code: [UInt8]) -> Hash32 {
        code.isEmpty ? emptyCodeHash : Hash32(Keccak256.hash(code))
    }

    public private(set) var accounts: [Address: Account]
    private let blockHashes: @Sendable (UInt64) -> Hash32

    /// `blockHash` answers BLOCKHASH; the default is what ethereum/tests' state tests were
    /// filled with (see `stateTestBlockHash`).
    public init(accounts: [Address: Account] = [:],
                blockHash: @escaping @Sendable (UInt64) -> Hash32 = MemoryHost.stateTestBlockHash) {
        self.accounts = accounts
        self.blockHashes = blockHash
    }

    /// State tests have no chain behind them: geth's runner (and so the expected roots) answer
    /// BLOCKHASH(n) with keccak256 of n written in decimal ASCII.
    @Sendable public static func stateTestBlockHash(_ number: UInt64) -> Hash32 {
        Hash32(Keccak256.hash(Array(String(number).utf8)))
    }

    public func account(_ address: Address) -> Account? { accounts[address] }

    // MARK: EVMHost reads

    public func accountExists(_ address: Address) -> Bool { accounts[address] != nil }
    public func balance(of address: Address) -> UInt256 { accounts[address]?.balance ?? 0 }
    public func nonce(of address: Address) -> UInt64 { accounts[address]?.nonce ?? 0 }
    public func code(at address: Address) -> [UInt8] { accounts[address]?.code ?? [] }

    public func codeHash(at address: Address) -> Hash32 {
        accounts[address]?.codeHash ?? MemoryHost.emptyCodeHash
    }

    public func storage(of address: Address, key: UInt256) -> UInt256 {
        accounts[address]?.storage[key] ?? 0
    }

    public func hasStorage(_ address: Address) -> Bool {
        !(accounts[address]?.storage.isEmpty ?? true)
    }

    public func blockHash(number: UInt64) -> Hash32 { blockHashes(number) }

    // MARK: EVMHost writes

    public func createAccount(_ address: Address) {
        if accounts[address] == nil { accounts[address] = Account() }
    }

    public func setBalance(_ address: Address, _ value: UInt256) {
        accounts[address, default: Account()].balance = value
    }

    public func setNonce(_ address: Address, _ value: UInt64) {
        accounts[address, default: Account()].nonce = value
    }

    public func setCode(_ address: Address, _ code: [UInt8]) {
        accounts[address, default: Account()].setCode(code)
    }

    public func setStorage(of address: Address, key: UInt256, value: UInt256) {
        if value.isZero {
            accounts[address]?.storage[key] = nil
        } else {
            accounts[address, default: Account()].storage[key] = value
        }
    }

    public func deleteAccount(_ address: Address) {
        accounts[address] = nil
    }
}
