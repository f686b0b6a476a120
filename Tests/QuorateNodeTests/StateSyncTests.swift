import Dispatch
import Foundation
import QuorateCLI
import QuorateCore
import QuorateCrypto
import QuorateEVM
@testable import QuorateNode
import QuorateP2P
import QuorateState
import QuorateStorage
import QuorateTestSupport
import Synchronization
import Testing

/// An in-process peer set for the state-sync client: each peer answers from `source`, through a
/// `tamper` function that may lie.
final class FakeStatePeers: @unchecked Sendable {
    let source: ChainStore
    let inbox: StateSyncInbox
    let keys: [PeerID]
    let tamper: [PeerID: @Sendable ([[UInt8]], [[UInt8]]) -> [[UInt8]]]
    let heldOff = Mutex<[(PeerID, String)]>([])

    init(source: ChainStore, inbox: StateSyncInbox, liars: [@Sendable ([[UInt8]], [[UInt8]]) -> [[UInt8]]]) {
        self.source = source
        self.inbox = inbox
        let all = (0...liars.count).map { TestKeys.key(UInt8(0x60 + $0)).publicKey }
        // The liars sort first (equal heights, ordered by key), so the client meets them first.
        keys = all.sorted { $0.compressed.lexicographicallyPrecedes($1.compressed) }
        tamper = Dictionary(uniqueKeysWithValues: zip(keys, liars))
    }

    var transport: StateSyncClient.Transport {
        StateSyncClient.Transport(
            peers: { self.keys.map { ($0, self.source.head.height) } },
            send: { request, peer in
                var answer = StateSyncServer(store: self.source).answer(request)
                if let lie = self.tamper[peer] { answer = lie(request, answer) }
                let inbox = self.inbox, sent = answer
                DispatchQueue.global().async { _ = inbox.deliver(sent, from: peer) }
            },
            holdOff: { peer, reason in self.heldOff.withLock { $0.append((peer, reason)) } })
    }
}

@Suite("state sync")
struct StateSyncTests {
    static let recipients = (0..<40).map { Address([UInt8](repeating: 0xaa, count: 19) + [UInt8($0 + 1)]) }
    /// Stores 0x2a in slot 0, then deploys `runtime` (SLOAD 0, MSTORE, RETURN 32 bytes).
    static let runtime: [UInt8] = [0x60, 0x00, 0x54, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3]
    static let initcode: [UInt8] = [0x60, 0x2a, 0x60, 0x00, 0x55, 0x60, 0x0b, 0x60, 0x11, 0x60, 0x00, 0x39,
                                    0x60, 0x0b, 0x60, 0x00, 0xf3] + runtime
    /// The contract the source chain deploys after its transfers.
    static var contract: Address {
        ContractAddress.create(sender: Address(ConsensusDriverTests.userKey.publicKey.ethereumAddress), nonce: UInt64(recipients.count))
    }

    /// A single-validator chain with transfers to `recipients`, committed by a real node.
    static func sourceChain(_ dir: String) throws -> Node {
        var config = NodeConfig(dataDir: dir + "/source")
        try FileManager.default.createDirectory(atPath: config.dataDir, withIntermediateDirectories: true)
        try ChainStore.initialize(path: config.storePath, genesis: try ConsensusDriverTests.genesis())
        config.validatorKey = ConsensusDriverTests.validatorKey
        let node = try Node(config: config)
        try node.start()
        // Three heights at least (half the transfers, the rest, the creation): state sync then
        // carries headers below the head.
        for (nonce, to) in recipients.enumerated() {
            if nonce == recipients.count / 2 { #expect(node.waitForHeight(1, timeoutMs: 30_000)) }
            let raw = try UnsignedTransaction(chainId: ConsensusDriverTests.chainId, nonce: UInt64(nonce), gasLimit: 21_000,
                                              to: to, value: UInt256(UInt64(nonce + 1))).signed(with: ConsensusDriverTests.userKey).raw
            _ = try node.submit(raw: raw)
        }
        #expect(node.waitForHeight(2, timeoutMs: 30_000))
        let creation = try UnsignedTransaction(chainId: ConsensusDriverTests.chainId, nonce: UInt64(recipients.count),
                                               gasLimit: 200_000, to: nil, data: initcode).signed(with: ConsensusDriverTests.userKey).raw
        _ = try node.submit(raw: creation)
        #expect(node.waitForHeight(1, timeoutMs: 30_000))
        let sender = Address(ConsensusDriverTests.userKey.publicKey.ethereumAddress)
        // Waits commit by commit until all are in; the bound only fails a node that stops committing.
        while (try node.store.account(sender)?.nonce ?? 0) < UInt64(recipients.count + 1) {
            guard node.waitForHeight(node.store.head.height + 1, timeoutMs: 30_000) else {
                Issue.record("the source chain stopped committing before all \(recipients.count + 1) transactions were in")
                break
            }
        }
        node.stop()
        return node
    }

    static func withChains(_ body: (ChainStore, ChainStore, String) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quorate-statesync-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let source = try sourceChain(dir)
        let target = try ChainStore.initialize(path: dir + "/target", genesis: try ConsensusDriverTests.genesis())
        try body(source.store, target, dir)
    }

    static func sync(_ target: ChainStore, from peers: FakeStatePeers) throws -> UInt64 {
        let client = StateSyncClient(store: target, inbox: peers.inbox, transport: peers.transport, logger: .silent)
        return try client.run()
    }

    static func expectSameState(_ target: ChainStore, _ source: ChainStore) throws {
        #expect(target.head == source.head)
        for (i, address) in recipients.enumerated() {
            #expect(try target.account(address) == source.account(address))
            #expect(try target.account(address)?.balance == UInt256(UInt64(i + 1)))
            #expect(try target.account(address, stateRoot: target.head.stateRoot) == source.account(address))
        }
        // The contract's storage tree and code came along, checked against its account.
        let contract = try #require(try source.account(Self.contract))
        #expect(contract.hasCode)
        #expect(try target.account(Self.contract) == contract)
        #expect(try target.storage(Self.contract, slot: 0, stateRoot: target.head.stateRoot) == UInt256(0x2a))
        #expect(try target.contractCode(contract.codeHash) == Self.runtime)
        // BLOCKHASH at the next height reads what it reads on the peer, which holds those blocks.
        let head = source.head.height
        #expect(head >= 3, "the source chain has heights below its head")
        let targetParent = try target.parentState(for: target.head), sourceParent = try source.parentState(for: source.head)
        for height in 0...head {
            #expect(targetParent.blockHashes(height) == sourceParent.blockHashes(height), "height \(height)")
            #expect(target.blockHash(at: height) == (try source.block(at: height)?.hash), "height \(height)")
        }
    }

    /// Syncs `target` with the liars met first and an honest peer last: the certified state
    /// still arrives, and each liar is held off with a reason containing one of `reasons`.
    static func expectLiarsHeldOff(_ source: ChainStore, _ target: ChainStore,
                                   liars: [@Sendable ([[UInt8]], [[UInt8]]) -> [[UInt8]]], reasons expected: [String]) throws {
        let peers = FakeStatePeers(source: source, inbox: StateSyncInbox(), liars: liars)
        _ = try sync(target, from: peers)
        try expectSameState(target, source)
        let reasons = peers.heldOff.withLock { $0.map(\.1) }
        #expect(reasons.count == expected.count)
        for text in expected { #expect(reasons.contains { $0.contains(text) }, "no liar held off for \(text): \(reasons)") }
    }

    @Test("a state-synced store holds the peer's certified head, every account and the tree")
    func honestPeer() throws {
        try Self.withChains { source, target, _ in
            let peers = FakeStatePeers(source: source, inbox: StateSyncInbox(), liars: [])
            #expect(try Self.sync(target, from: peers) == source.head.height)
            try Self.expectSameState(target, source)
            #expect(try target.oldestState() == source.head.height)
            #expect(peers.heldOff.withLock { $0.isEmpty })
            // The headers below the snapshot are kept (a reopened store reads its hashes from them).
            for height in 1..<source.head.height {
                #expect(try target.header(at: height) == source.block(at: height)?.header, "height \(height)")
            }
        }
    }

    @Test("a peer sending headers that are not the chain below its offered block is held off; the next peer completes the sync")
    func wrongHeaders() throws {
        try Self.withChains { source, target, _ in
            let isHeaders: @Sendable ([[UInt8]]) -> Bool = { $0.first?.first == StateSyncProtocol.Kind.headers.rawValue }
            // A bit of the logs bloom (the header's last field): still a header, not the parent.
            let altered: @Sendable ([[UInt8]], [[UInt8]]) -> [[UInt8]] = { request, answer in
                guard isHeaders(request), answer.count > 1 else { return answer }
                var lie = answer
                lie[1][lie[1].count - 10] ^= 0x01
                return lie
            }
            let short: @Sendable ([[UInt8]], [[UInt8]]) -> [[UInt8]] = { request, answer in
                isHeaders(request) ? Array(answer.dropLast()) : answer
            }
            try Self.expectLiarsHeldOff(source, target, liars: [altered, short],
                                        reasons: ["is not the parent of block", "headers below block"])
        }
    }

    /// Headers 0...count linked by their parent hashes (only the links matter to the check).
    static func headerChain(_ count: UInt64) -> [BlockHeader] {
        var chain: [BlockHeader] = []
        for height in 0...count {
            chain.append(BlockHeader(chainId: 1, height: height, timestampMs: height, parentHash: chain.last?.hash ?? .zero,
                                     proposer: Address([UInt8](repeating: 1, count: 20)), transactionsRoot: .zero,
                                     receiptsRoot: .zero, stateRoot: .zero, validatorsHash: .zero, nextValidatorsHash: .zero,
                                     lastCommitHash: .zero, gasLimit: 1, gasUsed: 0, baseFeePerGas: .zero))
        }
        return chain
    }

    @Test("an answer far from genesis holds exactly the 255 headers BLOCKHASH reaches, parent first")
    func headerWindow() throws {
        let chain = Self.headerChain(400)
        let genesis = chain[0].hash
        let answer = { (heights: [UInt64]) in [[StateSyncProtocol.Kind.headers.rawValue]] + heights.map { chain[Int($0)].encoded() } }
        #expect(StateSyncProtocol.headerCount(below: 400) == 255)
        #expect(StateSyncProtocol.headerCount(below: 256) == 255)
        #expect(StateSyncProtocol.headerCount(below: 2) == 1)
        #expect(StateSyncProtocol.headerCount(below: 1) == 0)
        let headers = try StateSyncProtocol.verifyHeaders(answer(Array((145...399).reversed())), below: chain[400], genesisHash: genesis)
        #expect(headers.first?.height == 399 && headers.last?.height == 145 && headers.count == 255)
        // Down to genesis exactly when the block is at 256: the last header is block 1.
        #expect(try StateSyncProtocol.verifyHeaders(answer(Array((1...255).reversed())), below: chain[256], genesisHash: genesis).count == 255)
        #expect(throws: StateSyncProtocol.Refusal.self) {
            try StateSyncProtocol.verifyHeaders(answer(Array((144...399).reversed())), below: chain[400], genesisHash: genesis)
        }
        #expect(throws: StateSyncProtocol.Refusal.self) {
            try StateSyncProtocol.verifyHeaders(answer(Array((146...399).reversed())), below: chain[400], genesisHash: genesis)
        }
        #expect(throws: StateSyncProtocol.Refusal.self) {
            try StateSyncProtocol.verifyHeaders(answer(Array((1...255).reversed())), below: chain[256], genesisHash: chain[1].hash)
        }
    }

    @Test("headers are checked from the offered block down to genesis")
    func headerChainChecks() throws {
        try Self.withChains { source, _, _ in
            let head = source.head
            let answer = StateSyncServer(store: source).answer(StateSyncProtocol.headersRequest(below: head.height))
            #expect(answer.count == Int(head.height))
            let headers = try StateSyncProtocol.verifyHeaders(answer, below: head, genesisHash: source.genesisHash)
            #expect(headers.map(\.height) == Array((1..<head.height).reversed()))
            #expect(throws: StateSyncProtocol.Refusal.self) {
                try StateSyncProtocol.verifyHeaders(answer, below: head, genesisHash: Hash32([UInt8](repeating: 7, count: 32)))
            }
            // Asked above its head, a peer has nothing to say.
            #expect(StateSyncServer(store: source).answer(StateSyncProtocol.headersRequest(below: head.height + 1)).isEmpty)
        }
    }

    @Test("a peer sending a node that is not in the certified tree is held off; the next peer completes the sync")
    func wrongNode() throws {
        try Self.withChains { source, target, _ in
            let peers = FakeStatePeers(source: source, inbox: StateSyncInbox(), liars: [{ request, answer in
                guard request.first == [StateSyncProtocol.Kind.nodes.rawValue], answer.count > 1 else { return answer }
                var lie = answer
                lie[1][lie[1].count - 1] ^= 0x01
                return lie
            }])
            _ = try Self.sync(target, from: peers)
            try Self.expectSameState(target, source)
            let held = peers.heldOff.withLock { $0 }
            #expect(held.count == 1 && held[0].0 == peers.keys[0] && held[0].1.contains("not in the certified tree"))
        }
    }

    @Test("a peer sending contract code that does not match its account's code hash is held off")
    func wrongCode() throws {
        try Self.withChains { source, target, _ in
            let peers = FakeStatePeers(source: source, inbox: StateSyncInbox(), liars: [{ request, answer in
                guard request.first == [StateSyncProtocol.Kind.code.rawValue], answer.count > 1 else { return answer }
                var lie = answer
                lie[1] = [0x00] + lie[1]
                return lie
            }])
            _ = try Self.sync(target, from: peers)
            try Self.expectSameState(target, source)
            let held = peers.heldOff.withLock { $0 }
            #expect(held.count == 1 && held[0].0 == peers.keys[0] && held[0].1.contains("does not hash to the code hash"))
        }
    }

    @Test("a peer sending more nodes than asked, or endless addresses, is held off")
    func endlessAnswers() throws {
        try Self.withChains { source, target, _ in
            let moreNodes: @Sendable ([[UInt8]], [[UInt8]]) -> [[UInt8]] = { request, answer in
                request.first == [StateSyncProtocol.Kind.nodes.rawValue] ? answer + [answer.last!] : answer
            }
            let endlessAddresses: @Sendable ([[UInt8]], [[UInt8]]) -> [[UInt8]] = { request, answer in
                guard request.first?.first == StateSyncProtocol.Kind.addresses.rawValue else { return answer }
                // Ascending made-up addresses from the start asked, always a full answer.
                var next = Address(Array(request[0].dropFirst()))
                return [[StateSyncProtocol.Kind.addresses.rawValue]] + (0..<StateSyncProtocol.maxAddressesPerAnswer).map { _ in
                    defer { next = StateSyncClient.successor(next)! }
                    return next.bytes
                }
            }
            try Self.expectLiarsHeldOff(source, target, liars: [moreNodes, endlessAddresses], reasons: ["nodes for the", "endless"])
        }
    }

    @Test("a forged offer certificate and an incomplete account table are refused")
    func forgedOfferAndMissingAccounts() throws {
        try Self.withChains { source, target, _ in
            let forged: @Sendable ([[UInt8]], [[UInt8]]) -> [[UInt8]] = { request, answer in
                guard request.first == [StateSyncProtocol.Kind.offer.rawValue] else { return answer }
                var lie = answer
                lie[2][lie[2].count - 3] ^= 0x01
                return lie
            }
            let omits: @Sendable ([[UInt8]], [[UInt8]]) -> [[UInt8]] = { request, answer in
                request.first?.first == StateSyncProtocol.Kind.addresses.rawValue ? Array(answer.dropLast()) : answer
            }
            try Self.expectLiarsHeldOff(source, target, liars: [forged, omits], reasons: ["offer", "incomplete"])
        }
    }

    @Test("a peer that no longer holds the state it offered (pruned since) is asked again, not held off")
    func prunedSince() throws {
        try Self.withChains { source, target, _ in
            let once = Mutex(true)
            let forgetsOnce: @Sendable ([[UInt8]], [[UInt8]]) -> [[UInt8]] = { request, answer in
                guard request.first == [StateSyncProtocol.Kind.nodes.rawValue], once.withLock({ let first = $0; $0 = false; return first }) else {
                    return answer
                }
                return [answer[0]] + answer.dropFirst().map { _ in [] }
            }
            let peers = FakeStatePeers(source: source, inbox: StateSyncInbox(), liars: [forgetsOnce])
            let client = StateSyncClient(store: target, inbox: peers.inbox, transport: StateSyncClient.Transport(
                peers: { [peers.keys[0]].map { ($0, source.head.height) } }, send: peers.transport.send, holdOff: peers.transport.holdOff),
                logger: .silent)
            _ = try client.run()
            try Self.expectSameState(target, source)
            #expect(peers.heldOff.withLock { $0.isEmpty })
        }
    }

    @Test("an answer nobody asked for is refused by the inbox")
    func unsolicited() {
        let inbox = StateSyncInbox()
        let peer = TestKeys.key(0x70).publicKey
        #expect(!inbox.deliver([[1]], from: peer))
    }
}
