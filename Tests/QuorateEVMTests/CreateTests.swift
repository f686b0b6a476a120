import QuorateCore
import QuorateCrypto
import Testing
@testable import QuorateEVM

/// Initcode that returns `runtime` (at most 32 bytes): MSTORE it left-aligned, RETURN.
func initcode(returning runtime: [UInt8]) -> [UInt8] {
    var a = Asm()
    a.push(UInt256(bigEndian: runtime + [UInt8](repeating: 0, count: 32 - runtime.count))!)
    a.push(0); a.op(0x52); a.push(runtime.count); a.push(0); a.op(0xf3)
    return a.bytes
}

/// Contract code that copies its call data to memory and CREATEs (or CREATE2s with salt 5) it,
/// returning the pushed address.
func factory(create2: Bool) -> [UInt8] {
    var a = Asm()
    a.op(0x36); a.push(0); a.push(0); a.op(0x37)          // CALLDATACOPY(0, 0, size)
    if create2 { a.push(5) }
    a.op(0x36); a.push(0); a.push(0)                      // size, offset 0, value 0
    a.op(create2 ? 0xf5 : 0xf0)
    a.returnTop()
    return a.bytes
}

@Suite("Contract creation")
struct CreateTests {
    @Test("CREATE2 addresses match EIP-1014's examples")
    func create2Examples() throws {
        #expect(ContractAddress.create2(sender: .zero, salt: 0, initcode: [0]) ==
                (try Address(hex: "0x4D1A2e2bB4F88F0250f26Ffff098B0b30B26BF38")))
        let sender = try Address(hex: "0x00000000000000000000000000000000deadbeef")
        #expect(ContractAddress.create2(sender: sender, salt: 0xcafebabe, initcode: [0xde, 0xad, 0xbe, 0xef]) ==
                (try Address(hex: "0x60f3f640a8508fC6a86d45DF051962668E1e8AC7")))
    }

    @Test("CREATE uses keccak(rlp[sender, nonce]) and deploys the returned code")
    func createDeploys() {
        let runtime: [UInt8] = [0x60, 0x2a, 0x5f, 0x52, 0x60, 0x20, 0x5f, 0xf3]
        let code = factory(create2: false)
        let host = world(code: code)
        let (o, h) = run(code, data: initcode(returning: runtime), host: host)
        #expect(o.status == .success)
        let expected = ContractAddress.create(sender: contract, nonce: 1)
        #expect(word(o.output) == UInt256(address: expected))
        #expect(h.accounts[expected]?.code == runtime)
        #expect(h.accounts[expected]?.nonce == 1)
        #expect(h.accounts[contract]?.nonce == 2)
    }

    @Test("CREATE2 through bytecode lands at the EIP-1014 address")
    func create2Deploys() {
        let code = factory(create2: true)
        let ic = initcode(returning: [0x00])
        let (o, h) = run(code, data: ic)
        let expected = ContractAddress.create2(sender: contract, salt: 5, initcode: ic)
        #expect(word(o.output) == UInt256(address: expected))
        #expect(h.accounts[expected]?.code == [0x00])
    }

    @Test("CREATE onto an address with a nonce, code or storage fails and consumes the gas it passed")
    func collision() {
        let code = factory(create2: false)
        let target = ContractAddress.create(sender: contract, nonce: 1)
        for existing in [TestHost.Account(nonce: 1), TestHost.Account(code: [0x00]), TestHost.Account(storage: [1: 1])] {
            let host = world(code: code, extra: [target: existing])
            let (o, h) = run(code, data: initcode(returning: [1]), gas: 200_000, host: host)
            #expect(o.status == .success)
            #expect(word(o.output) == 0)
            #expect(h.accounts[target] == existing)
            #expect(h.accounts[contract]?.nonce == 2, "the creator's nonce still increases")
            #expect(o.gasUsed > 190_000, "63/64 of the gas went to the failed creation")
        }
    }

    @Test("a creating transaction onto an occupied address fails with all gas used")
    func transactionCollision() {
        let target = ContractAddress.create(sender: sender, nonce: 0)
        let host = world(code: [], extra: [target: .init(nonce: 1)])
        let tx = callTx(to: nil, data: initcode(returning: [1]), gas: 100_000)
        guard case .success(let o) = TransactionProcessor.apply(tx, host: host, block: testBlock) else {
            Issue.record("valid transaction refused")
            return
        }
        #expect(o.status == .failure("contract address collision"))
        #expect(o.gasUsed == 100_000)
        #expect(host.accounts[sender]?.nonce == 1)
    }

    @Test("CREATE with initcode over 49152 bytes halts out of gas; a creating transaction with it is invalid")
    func initcodeLimit() {
        // CREATE(0, 0, 49153) from a contract.
        var a = Asm(); a.push(49153); a.push(0); a.push(0); a.op(0xf0)
        let (o, _) = run(a.bytes, gas: 5_000_000)
        #expect(o.status == .failure("out of gas"))
        #expect(o.gasUsed == 5_000_000)
        a = Asm(); a.push(49152); a.push(0); a.push(0); a.op(0xf0)
        let (ok, _) = run(a.bytes, gas: 5_000_000)
        #expect(ok.status == .success)

        let host = world(code: [])
        let before = host.accounts
        let tx = callTx(to: nil, data: [UInt8](repeating: 0, count: 49153), gas: 10_000_000)
        guard case .failure(let e) = TransactionProcessor.apply(tx, host: host, block: testBlock) else {
            Issue.record("oversized initcode accepted")
            return
        }
        #expect(e == .initcodeTooLarge(size: 49153, limit: 49152))
        #expect(host.accounts == before)
    }

    @Test("returned code starting with 0xEF or longer than 24576 bytes is refused (EIP-3541, EIP-170)")
    func codeDepositRules() {
        for (runtime, ok) in [([UInt8]([0xef]), false), ([0xef, 0x00], false), ([0xfe], true)] {
            let tx = callTx(to: nil, data: initcode(returning: runtime), gas: 200_000)
            let host = world(code: [])
            guard case .success(let o) = TransactionProcessor.apply(tx, host: host, block: testBlock) else {
                Issue.record("valid transaction refused")
                continue
            }
            #expect((o.status == .success) == ok)
            #expect((o.contractAddress != nil) == ok)
        }
        // RETURN(0, 24577) from initcode: memory of zeros, one byte too long.
        var a = Asm(); a.push(24577); a.push(0); a.op(0xf3)
        let host = world(code: [])
        guard case .success(let o) = TransactionProcessor.apply(callTx(to: nil, data: a.bytes, gas: 10_000_000),
                                                                host: host, block: testBlock) else {
            Issue.record("valid transaction refused")
            return
        }
        #expect(o.status == .failure("max code size exceeded"))
    }
}
