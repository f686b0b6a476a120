import QuorateCore
import QuorateCrypto
@testable import QuorateEVM

/// An in-memory world for the interpreter's tests.
final class TestHost: EVMHost {
    struct Account: Equatable {
        var balance: UInt256 = 0
        var nonce: UInt64 = 0
        var code: [UInt8] = []
        var storage: [UInt256: UInt256] = [:]
    }

    var accounts: [Address: Account] = [:]

    func accountExists(_ address: Address) -> Bool { accounts[address] != nil }
    func balance(of address: Address) -> UInt256 { accounts[address]?.balance ?? 0 }
    func nonce(of address: Address) -> UInt64 { accounts[address]?.nonce ?? 0 }
    func code(at address: Address) -> [UInt8] { accounts[address]?.code ?? [] }
    func codeHash(at address: Address) -> Hash32 { Hash32.keccak(code(at: address)) }
    func storage(of address: Address, key: UInt256) -> UInt256 { accounts[address]?.storage[key] ?? 0 }
    func hasStorage(_ address: Address) -> Bool { !(accounts[address]?.storage.isEmpty ?? true) }
    func blockHash(number: UInt64) -> Hash32 { Hash32.keccak(RLPItem(number).bytesOrEmpty) }

    func createAccount(_ address: Address) {
        if accounts[address] == nil { accounts[address] = Account() }
    }

    func setBalance(_ address: Address, _ value: UInt256) { accounts[address, default: Account()].balance = value }
    func setNonce(_ address: Address, _ value: UInt64) { accounts[address, default: Account()].nonce = value }
    func setCode(_ address: Address, _ code: [UInt8]) { accounts[address, default: Account()].code = code }

    func setStorage(of address: Address, key: UInt256, value: UInt256) {
        accounts[address, default: Account()].storage[key] = value.isZero ? nil : value
    }

    func deleteAccount(_ address: Address) { accounts[address] = nil }
}

extension RLPItem {
    var bytesOrEmpty: [UInt8] {
        if case .bytes(let b) = self { return b }
        return []
    }
}

func address(_ n: UInt8) -> Address { Address([UInt8](repeating: 0, count: 19) + [n]) }

let sender = Address([UInt8](repeating: 0x5e, count: 20))
let contract = Address([UInt8](repeating: 0xcc, count: 20))
let coinbase = Address([UInt8](repeating: 0xcb, count: 20))

let testBlock = BlockContext(coinbase: coinbase, number: 100, timestamp: 1_700_000_000, gasLimit: 30_000_000,
                             baseFee: 7, prevRandao: .zero, chainId: 1)

/// A world with a funded sender and `code` at `contract`.
func world(code: [UInt8], extra: [Address: TestHost.Account] = [:]) -> TestHost {
    let host = TestHost()
    host.accounts[sender] = .init(balance: UInt256(1) << 100)
    host.accounts[contract] = .init(balance: 0, nonce: 1, code: code)
    for (a, acc) in extra { host.accounts[a] = acc }
    return host
}

func callTx(to: Address? = contract, data: [UInt8] = [], gas: UInt64 = 1_000_000, value: UInt256 = 0,
            nonce: UInt64 = 0, accessList: [(address: Address, storageKeys: [UInt256])] = []) -> EVMTransaction {
    EVMTransaction(type: 2, sender: sender, to: to, nonce: nonce, value: value, data: data, gasLimit: gas,
                   maxFeePerGas: 10, maxPriorityFeePerGas: 1, accessList: accessList)
}

/// Runs a call to `contract` and returns the outcome (the transaction must be valid).
func run(_ code: [UInt8], data: [UInt8] = [], gas: UInt64 = 1_000_000, host: TestHost? = nil) -> (TransactionOutcome, TestHost) {
    let h = host ?? world(code: code)
    switch TransactionProcessor.apply(callTx(data: data, gas: gas), host: h, block: testBlock) {
    case .success(let o): return (o, h)
    case .failure(let e): preconditionFailure("test transaction invalid: \(e)")
    }
}

extension UInt256 {
    static func << (a: UInt256, n: Int) -> UInt256 { a.shiftedLeftWrapping(n) }
}

/// A tiny assembler: opcodes by name, pushes with minimal width.
struct Asm {
    var bytes: [UInt8] = []

    @discardableResult mutating func op(_ b: UInt8) -> Asm { bytes.append(b); return self }

    @discardableResult mutating func push(_ v: UInt256) -> Asm {
        let be = v.minimalBigEndianBytes
        if be.isEmpty { bytes.append(0x5f) } else {
            bytes.append(0x5f + UInt8(be.count))
            bytes += be
        }
        return self
    }

    mutating func push(_ v: Int) { push(UInt256(UInt64(v))) }
    mutating func push(_ a: Address) { push(UInt256(address: a)) }

    /// Stores the top of the stack at memory 0 and returns those 32 bytes.
    mutating func returnTop() {
        push(0); op(0x52); push(32); push(0); op(0xf3)
    }
}

/// The code of `body` computing one word, returned as 32 bytes.
func returning(_ body: (inout Asm) -> Void) -> [UInt8] {
    var a = Asm()
    body(&a)
    a.returnTop()
    return a.bytes
}

func word(_ output: [UInt8]) -> UInt256 { UInt256(bigEndian: output) ?? .max }

func hexWord(_ s: String) -> UInt256 { UInt256(hexQuantity: s)! }
