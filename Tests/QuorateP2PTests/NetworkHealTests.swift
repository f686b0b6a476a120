import Foundation
import QuorateCore
import QuorateCrypto
import Testing
@testable import QuorateP2P

/// What a node does when a peer comes (back): pool exchange, and closes that say why.
@Suite struct NetworkHealTests {
    @Test("on connect each side announces its pool by hash and pulls only what it lacks")
    func poolExchange() throws {
        let keys = (0..<2).map { _ in Secp256k1.PrivateKey.generate() }
        let allowed = AllowList(keys.map(\.publicKey))
        let shared = pattern(40, seed: 1), onlyA = pattern(50, seed: 2), onlyB = pattern(60, seed: 3)
        let a = try TestPeer(key: keys[0], allowed: allowed, pool: [onlyA, shared])
        let b = try TestPeer(key: keys[1], peers: [a.address], allowed: allowed, pool: [shared, onlyB])
        defer { a.stop(); b.stop() }
        eventually("each side received the transaction only the other had") {
            a.recorder.allTransactions == [onlyB] && b.recorder.allTransactions == [onlyA]
        }
        #expect(a.recorder.snapshot.poolAnnouncements.map(\.1) == [[.keccak(shared), .keccak(onlyB)]])
        #expect(b.recorder.snapshot.poolAnnouncements.map(\.1) == [[.keccak(onlyA), .keccak(shared)]])
        #expect(a.recorder.snapshot.poolRequests == [[.keccak(onlyA)]], "B asked A only for what B lacked")
        #expect(b.recorder.snapshot.poolRequests == [[.keccak(onlyB)]])
    }

    @Test("a pool larger than NetworkLimits.maxHashesPerMessage is announced in several messages, every hash once")
    func largePoolIsSplit() throws {
        let keys = (0..<2).map { _ in Secp256k1.PrivateKey.generate() }
        let allowed = AllowList(keys.map(\.publicKey))
        let limits = NetworkLimits(maxHashesPerMessage: 3)
        let pool = (0..<7).map { pattern(10, seed: UInt8($0)) }
        let a = try TestPeer(key: keys[0], allowed: allowed, limits: limits, pool: pool)
        let b = try TestPeer(key: keys[1], peers: [a.address], allowed: allowed, limits: limits)
        defer { a.stop(); b.stop() }
        eventually("B pulled the whole pool") { b.recorder.allTransactions.count == 7 }
        #expect(b.recorder.snapshot.poolAnnouncements.map(\.1.count) == [3, 3, 1])
        #expect(b.recorder.allTransactions == pool)
        #expect(!a.logs.contains("holding off") && !b.logs.contains("holding off"))
    }

    @Test("a duplicate connection is closed with a goodbye that names the one-session rule, not a bare close")
    func duplicateSaysGoodbye() throws {
        let keys = sortedPrivateKeys(2)   // A's key is the smaller: A keeps the connection it dialed
        let allowed = AllowList(keys.map(\.publicKey))
        let b = try TestPeer(key: keys[1], allowed: allowed)
        let a = try TestPeer(key: keys[0], peers: [b.address], allowed: allowed)
        defer { a.stop(); b.stop() }
        eventually("A dialed B") { a.isConnected(to: b) && b.isConnected(to: a) }
        // B's key dials A as well, as B's dialer would after a heal.
        let second = try HandPeer.connect(to: a, key: keys[1])
        #expect(try second.receive() == .goodbye(.duplicateConnection))
        #expect(second.seesClose())
        eventually("A logs the duplicate") { a.logs.contains("p2p: closed duplicate connection \(b.id)", "one session per peer key") }
        #expect(a.isConnected(to: b), "the first connection stays")
        #expect(!a.logs.contains("holding off"))
    }

    @Test("both sides redialing at once: whichever connection loses, no log line blames a refusal of our key",
          arguments: 0..<3)
    func simultaneousRedialLogs(round: Int) throws {
        let keys = sortedPrivateKeys(2)
        let (a, b) = try peersDialingEachOther(keys)
        defer { a.stop(); b.stop() }
        eventually("connected") { a.isConnected(to: b) && b.isConnected(to: a) }
        // Each side closes the loser itself ("closed duplicate connection") or learns it from the
        // other: every session that ended names the one-session rule.
        for peer in [a, b] {
            #expect(!peer.logs.contains("may refuse our key"))
            #expect(!peer.logs.contains("replaced by a newer connection"))
            for line in peer.logs.all where line.hasPrefix("p2p: disconnected") {
                #expect(line.contains("keeps its other connection") || line.contains("dropped in favour of"), "\(line)")
            }
        }
    }
}

/// Private keys sorted by their compressed public keys.
func sortedPrivateKeys(_ count: Int) -> [Secp256k1.PrivateKey] {
    (0..<count).map { _ in Secp256k1.PrivateKey.generate() }
        .sorted { $0.publicKey.compressed.lexicographicallyPrecedes($1.publicKey.compressed) }
}
