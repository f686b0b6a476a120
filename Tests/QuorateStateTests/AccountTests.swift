import QuorateCore
import QuorateCrypto
import QuorateState
import QuorateTestSupport
import Testing

@Suite("accounts")
struct AccountTests {
    @Test("the encoding is the RLP list [nonce, balance, roles] with minimal integers")
    func knownEncodings() throws {
        #expect(Hex.encode(Account.empty.encoded()) == "c3808080")
        let account = Account(nonce: 1, balance: UInt256(1_000_000_000_000_000_000), roles: 0)
        #expect(Hex.encode(account.encoded()) == "cb01880de0b6b3a764000080")
        #expect(try Account(decoding: Hex.decode("cb01880de0b6b3a764000080")) == account)
    }

    @Test("accounts round-trip through their encoding, extremes included")
    func roundTrip() throws {
        var rng = SeededGenerator(seed: 20)
        var accounts = [Account.empty, Account(nonce: .max, balance: .max, roles: .max)]
        for _ in 0..<200 {
            accounts.append(Account(nonce: rng.next() >> UInt64.random(in: 0...63, using: &rng),
                                    balance: UInt256(bigEndian: rng.bytes(Int.random(in: 0...32, using: &rng)))!,
                                    roles: rng.next() & 0xff))
        }
        for account in accounts { #expect(try Account(decoding: account.encoded()) == account) }
    }

    @Test("only nonce 0, balance 0 and no roles is empty")
    func emptiness() {
        #expect(Account.empty.isEmpty)
        #expect(!Account(nonce: 1).isEmpty)
        #expect(!Account(balance: UInt256(1)).isEmpty)
        #expect(!Account(roles: 1).isEmpty)
    }

    @Test("decoding refuses non-lists, wrong field counts, non-canonical integers, overflow and trailing bytes")
    func malformed() throws {
        for hex in [
            "80",                          // a string, not a list
            "c28080",                      // two fields
            "c480808080",                  // four fields
            "c48080",                      // truncated: claims 4 payload bytes, has 2
            "c481008080",                  // nonce with a leading zero byte
            "cc890102030405060708098080",  // 9-byte nonce
            "c3808080" + "00",             // trailing byte
            "c3c08080",                    // nonce is a list
        ] {
            #expect(throws: StateError.self, "\(hex)") { try Account(decoding: Hex.decode(hex)) }
        }
    }
}
