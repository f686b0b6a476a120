import Foundation
import QuorateConsensus
import QuorateCore
import QuorateCrypto
@testable import QuorateNode
import QuorateStorage
import Synchronization
import Testing

/// Records what the driver sends and, at that moment, what the store holds as hard state.
final class PersistCheckingTransport: ConsensusTransport, @unchecked Sendable {
    let store: Mutex<ChainStore?> = Mutex(nil)
    let sent: Mutex<[ConsensusMessage]> = Mutex([])
    let unpersisted: Mutex<[ConsensusMessage]> = Mutex([])

    func broadcast(_ message: ConsensusMessage) { record(message) }
    func send(_ message: ConsensusMessage, to validator: Address) { record(message) }

    private func record(_ message: ConsensusMessage) {
        sent.withLock { $0.append(message) }
        let persisted: HardState? = store.withLock { s in (try? s?.consensusState()).flatMap { $0 }.flatMap { try? HardState(decoding: $0) } }
        let covered: Bool
        switch message {
        case .proposal(let p): covered = persisted?.lastProposal == p
        case .vote(let v): covered = persisted?.lastPrevote == v || persisted?.lastPrecommit == v
        }
        if !covered { unpersisted.withLock { $0.append(message) } }
    }
}

@Suite("consensus driver")
struct ConsensusDriverTests {
    static let chainId: UInt64 = 1337
    static let validatorKey = try! Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [0x41])
    static let userKey = try! Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [0x42])

    static func genesis() throws -> Genesis {
        var consensus = ConsensusParams()
        consensus.heartbeatIntervalMs = 0  // blocks only when transactions wait
        return Genesis(chainId: chainId, timestampMs: 0,
                       validators: try ValidatorSet([Validator(address: Address(validatorKey.publicKey.ethereumAddress), nodeKey: [])]),
                       alloc: [(Address(userKey.publicKey.ethereumAddress), UInt256(1_000_000))], consensus: consensus)
    }

    static func transfer(nonce: UInt64) throws -> [UInt8] {
        try UnsignedTransaction(chainId: chainId, nonce: nonce, gasLimit: 21_000,
                                to: Address([UInt8](repeating: 0xde, count: 20)), value: 1).signed(with: userKey).raw
    }

    @Test("persist before send: every proposal and vote leaves only after it is synced as hard state (n=1)")
    func persistBeforeSend() throws {
        var dir = try NodeDirectory("driver", genesis: try Self.genesis())
        defer { dir.remove() }
        dir.config.validatorKey = Self.validatorKey
        let transport = PersistCheckingTransport()
        let node = try Node(config: dir.config, transport: transport)
        transport.store.withLock { $0 = node.store }
        try node.start()
        defer { node.stop() }
        #expect(node.store.head.height == 0, "no block without transactions (heartbeat off)")
        for nonce in 0..<3 {
            _ = try node.submit(raw: try Self.transfer(nonce: UInt64(nonce)))
            // A generous bound on waiting; nothing is asserted about how long it took.
            #expect(node.waitForHeight(UInt64(nonce + 1), timeoutMs: 30_000))
        }
        #expect(try node.store.account(Address(Self.userKey.publicKey.ethereumAddress))?.nonce == 3)
        let sent = transport.sent.withLock { $0 }
        #expect(sent.contains { if case .proposal = $0 { return true } else { return false } })
        #expect(sent.contains { if case .vote(let v) = $0 { return v.type == .precommit } else { return false } })
        #expect(transport.unpersisted.withLock { $0.count } == 0, "messages sent before their hard state was synced")
        // Every committed block carries a certificate that verifies against the validator set.
        for h in 1...node.store.head.height {
            try node.store.certificate(at: h)!.verify(validators: try node.store.validators(at: h), chainId: Self.chainId)
        }
    }
}
