import QuorateCore
@testable import QuorateCLI
import QuorateTestSupport
import Testing

@Suite("amount parser")
struct AmountParserTests {
    static func wei(_ text: String) throws -> UInt256 { try AmountParser.wei(text) }

    @Test("units: ether, eth, gwei, wei, and a bare number of wei")
    func units() throws {
        #expect(try Self.wei("1.5ether") == UInt256(1_500_000_000_000_000_000))
        #expect(try Self.wei("2eth") == UInt256(2_000_000_000_000_000_000))
        #expect(try Self.wei("20gwei") == UInt256(20_000_000_000))
        #expect(try Self.wei("1000") == 1000)
        #expect(try Self.wei("1000wei") == 1000)
        #expect(try Self.wei("0.000000000000000001ether") == 1)
        #expect(try Self.wei("0.5gwei") == 500_000_000)
        #expect(try Self.wei(".5ether") == UInt256(500_000_000_000_000_000))
        #expect(try Self.wei("3.ether") == UInt256(3_000_000_000_000_000_000))
        #expect(try Self.wei("0") == 0)
    }

    @Test("case and spaces around the unit do not matter; hex quantities are wei")
    func forms() throws {
        #expect(try Self.wei("1.5 Ether") == UInt256(1_500_000_000_000_000_000))
        #expect(try Self.wei(" 20 GWEI ") == UInt256(20_000_000_000))
        #expect(try Self.wei("0x10") == 16)
        #expect(try Self.wei("0x10wei") == 16)
    }

    @Test("large amounts up to 2^256 - 1 wei; beyond is refused")
    func large() throws {
        #expect(try Self.wei("1000000000ether") == UInt256(decimal: "1000000000000000000000000000")!)
        let max = UInt256.max.description
        #expect(try Self.wei(max) == .max)
        expectError(containing: "is not an amount") { _ = try Self.wei(max + "0") }
        expectError(containing: "is not an amount") { _ = try Self.wei("1" + String(repeating: "0", count: 60) + "ether") }
    }

    @Test("more decimals than the unit has are refused")
    func tooManyDecimals() throws {
        expectError(containing: "\"0.0000000000000000001ether\" has more decimals than the unit allows (18)") {
            _ = try Self.wei("0.0000000000000000001ether")
        }
        expectError(containing: "has more decimals than the unit allows (9)") { _ = try Self.wei("1.0000000001gwei") }
        expectError(containing: "has more decimals than the unit allows (0)") { _ = try Self.wei("1.5") }
        expectError(containing: "has more decimals than the unit allows (0)") { _ = try Self.wei("1.5wei") }
    }

    @Test("garbage is refused with an example of what to write")
    func garbage() throws {
        for text in ["", "ether", "abc", "1.2.3ether", "-1", "-1ether", "1e18", "1,5ether", "1.5btc", "0x", "0xzz", "½ether",
                     "١٢٣", ".", ".ether", "gwei", " ", "1 000", "+1", "0x1.5"] {
            expectError(containing: "write e.g. 1.5ether, 20gwei or 1000 (wei)") { _ = try Self.wei(text) }
        }
    }

    @Test("formatEther: whole ether, fractions without trailing zeros, one wei, zero")
    func formatEther() throws {
        #expect(AmountParser.formatEther(UInt256(1_500_000_000_000_000_000)) == "1.5")
        #expect(AmountParser.formatEther(UInt256(2_000_000_000_000_000_000)) == "2")
        #expect(AmountParser.formatEther(1) == "0.000000000000000001")
        #expect(AmountParser.formatEther(0) == "0")
        #expect(AmountParser.formatEther(UInt256(20_000_000_000)) == "0.00000002")
        #expect(AmountParser.formatEther(UInt256(decimal: "123456789012345678901234567")!) == "123456789.012345678901234567")
        #expect(AmountParser.formatEther(.max) == "115792089237316195423570985008687907853269984665640564039457.584007913129639935")
        // Formatting then parsing gives the amount back.
        for wei in [UInt256(1), 0, UInt256(1_500_000_000_000_000_000), UInt256(decimal: "123456789012345678901234567")!, .max] {
            #expect(try AmountParser.wei(AmountParser.formatEther(wei) + "ether") == wei)
        }
    }
}
