import QuorateCore
import QuorateCrypto

/// The chain most tests build on: chain 1337 at genesis time 1 s, validators with keys 1...4
/// (equal powers), and alice (key 0x11) and bob (key 0x12) funded with 2^62 wei each.
public enum TestGenesis {
    public static let chainId: UInt64 = 1337

    public static let alice = TestKeys.key(0x11), bob = TestKeys.key(0x12), carol = TestKeys.key(0x13)
    public static let validatorKeys = (1...4).map { TestKeys.key(UInt8($0)) }
    public static let validators = try! ValidatorSet(validatorKeys.map {
        Validator(address: TestKeys.address($0), nodeKey: $0.publicKey.compressed)
    })
    public static let initialBalance = UInt256(UInt64(1) << 62)
    public static var bobAddress: Address { address(bob) }
    public static var carolAddress: Address { address(carol) }

    public static func key(_ i: UInt8) -> Secp256k1.PrivateKey { TestKeys.key(i) }
    public static func address(_ key: Secp256k1.PrivateKey) -> Address { TestKeys.address(key) }

    public static func genesis(baseFee: UInt256 = 0, consensus: ConsensusParams = ConsensusParams(),
                               blockGasLimit: UInt64? = nil, alloc: [(address: Address, balance: UInt256)]? = nil) -> Genesis {
        var fees = FeeParams()
        fees.baseFeePerGas = baseFee
        if let blockGasLimit { fees.blockGasLimit = blockGasLimit }
        return Genesis(chainId: chainId, timestampMs: 1_000, validators: validators,
                       alloc: alloc ?? [(TestKeys.address(alice), initialBalance), (TestKeys.address(bob), initialBalance)],
                       consensus: consensus, fees: fees)
    }
}
