import Foundation
import QuorateCore
import QuorateCrypto
@testable import QuorateNode
import QuorateRPC
import QuorateStorage
import QuorateTestSupport
import Testing

@Suite("node: the run-time peer allowlist")
struct PeerAllowlistTests {
    static func key(_ n: UInt8) -> [UInt8] { [0x02] + [UInt8](repeating: n, count: 32) }

    @Test("a key is allowed while any source holds it: configured, chain or run-time")
    func sources() {
        let list = PeerAllowlist(configured: [Self.key(1)])
        #expect(list.contains(Self.key(1)))
        #expect(!list.contains(Self.key(2)) && !list.contains(Self.key(3)))
        list.setChainKeys([Self.key(2)])
        #expect(list.addRuntime(Self.key(3)) == .added)
        #expect([1, 2, 3].allSatisfy { list.contains(Self.key($0)) })
        // The same key from two sources: removing one source leaves it allowed.
        #expect(list.addRuntime(Self.key(2)) == .added)
        #expect(list.removeRuntime(Self.key(2)))
        #expect(list.contains(Self.key(2)), "still a chain key")
        list.setChainKeys([])
        #expect(!list.contains(Self.key(2)))
        #expect(list.removeRuntime(Self.key(1)) == false, "a configured key is not a run-time one")
        #expect(list.contains(Self.key(1)))
    }

    @Test("setChainKeys replaces the chain keys as a whole and says whether they changed")
    func chainKeys() {
        let list = PeerAllowlist(configured: [])
        #expect(list.setChainKeys([Self.key(1), Self.key(2)]))
        #expect(!list.setChainKeys([Self.key(2), Self.key(1)]), "the same set again is no change")
        #expect(list.setChainKeys([Self.key(2), Self.key(3)]))
        #expect(!list.contains(Self.key(1)), "a validator removed from the set is no longer allowed")
        #expect(list.contains(Self.key(3)))
        #expect(list.chainKeys == [Self.key(2), Self.key(3)])
    }

    @Test("run-time keys: added once, bounded by maxRuntimeKeys, a removal frees a slot")
    func runtimeBound() {
        let list = PeerAllowlist(configured: [])
        for n in 0..<PeerAllowlist.maxRuntimeKeys { #expect(list.addRuntime(Self.key(UInt8(n))) == .added) }
        #expect(list.addRuntime(Self.key(0)) == .alreadyPresent)
        #expect(list.addRuntime(Self.key(200)) == .full)
        #expect(!list.contains(Self.key(200)))
        #expect(list.removeRuntime(Self.key(0)))
        #expect(!list.removeRuntime(Self.key(0)), "removing twice says it was not there")
        #expect(list.addRuntime(Self.key(200)) == .added)
        #expect(list.runtimeKeys.count == PeerAllowlist.maxRuntimeKeys)
    }

    @Test("concurrent readers and writers see a consistent list")
    func concurrency() {
        let list = PeerAllowlist(configured: [Self.key(255)])
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for round in 0..<500 {
                let key = Self.key(UInt8(worker))
                if worker % 2 == 0 {
                    _ = list.addRuntime(key)
                    _ = list.removeRuntime(key)
                } else {
                    list.setChainKeys(round % 2 == 0 ? [key] : [])
                }
                #expect(list.contains(Self.key(255)))
            }
        }
        #expect(list.runtimeKeys.isEmpty)
    }
}

@Suite("node: admin peer methods")
struct NodeAdminPeerTests {
    static let validatorKey = TestKeys.key(0x61)
    static let nodeKey = TestKeys.key(0x62)
    static let otherKey = TestKeys.key(0x63)

    /// A single-validator node with a P2P network on a free loopback port.
    static func withNode(_ body: (Node) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quorate-admin-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var consensus = ConsensusParams()
        consensus.heartbeatIntervalMs = 0
        let genesis = Genesis(chainId: 1337, timestampMs: 0,
                              validators: try ValidatorSet([Validator(address: Address(validatorKey.publicKey.ethereumAddress),
                                                                      nodeKey: nodeKey.publicKey.compressed)]),
                              alloc: [], consensus: consensus)
        var config = NodeConfig(dataDir: dir)
        try ChainStore.initialize(path: config.storePath, genesis: genesis)
        config.validatorKey = validatorKey
        config.nodeKey = nodeKey
        config.p2pHost = "127.0.0.1"
        config.p2pPort = 0
        let node = try Node(config: config)
        try node.start()
        defer { node.stop() }
        try body(node)
    }

    static func rpcError(_ call: () throws -> Bool) -> RPCError? {
        do {
            _ = try call()
            return nil
        } catch {
            return error as? RPCError
        }
    }

    @Test("the chain part of the allowlist is the validators' node keys, set at start")
    func chainKeysAtStart() throws {
        try Self.withNode { node in
            #expect(try node.chainAllowedKeys() == [Self.nodeKey.publicKey.compressed])
            #expect(node.allowlist.chainKeys == [Self.nodeKey.publicKey.compressed])
            #expect(node.adminPeers().isEmpty)
            let address = try #require(node.nodeAddress)
            #expect(address == "0x\(Hex.encode(Self.nodeKey.publicKey.compressed))@127.0.0.1:\(try #require(node.p2pPort))")
        }
    }

    @Test("admin_addPeer and admin_removePeer: bad input is -32602 with the reason, own key refused, add then remove")
    func addAndRemove() throws {
        try Self.withNode { node in
            let other = Hex.encode(Self.otherKey.publicKey.compressed)
            let malformed = Self.rpcError { try node.addPeer("not an address") }
            #expect(malformed?.code == -32602)
            #expect(malformed?.message.hasPrefix("invalid argument 0: no '@' in \"not an address\"") == true)
            let badPort = Self.rpcError { try node.addPeer("\(other)@127.0.0.1:0") }
            #expect(badPort?.message.contains("port must be a number from 1 to 65535") == true)
            let shortKey = Self.rpcError { try node.removePeer("0x12@127.0.0.1:1") }
            #expect(shortKey?.code == -32602)
            let ownAddress = try #require(node.nodeAddress)
            let own = Self.rpcError { try node.addPeer(ownAddress) }
            #expect(own?.code == -32602)
            #expect(own?.message.contains("this node's own key") == true)

            // Port 1 on loopback refuses: the dialer keeps retrying, which is all this needs.
            #expect(try node.addPeer("0x\(other)@127.0.0.1:1"))
            #expect(node.allowlist.contains(Self.otherKey.publicKey.compressed))
            #expect(try node.addPeer("\(other)@127.0.0.1:2"), "again, without 0x, at another port: accepted")
            #expect(try node.removePeer("\(other)@127.0.0.1:2"))
            #expect(!node.allowlist.contains(Self.otherKey.publicKey.compressed))
            #expect(try node.removePeer("\(other)@127.0.0.1:2") == false, "not a run-time peer any more")
        }
    }
}
