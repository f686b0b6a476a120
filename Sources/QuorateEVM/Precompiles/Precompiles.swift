import QuorateCore

/// The outcome of a precompiled contract.
public enum PrecompileResult: Equatable, Sendable {
    case success(gasUsed: UInt64, output: [UInt8])
    /// Bad input or not enough gas: an exceptional halt that consumes all gas given to it.
    case failure
}

/// Cancun's precompiled contracts 0x01-0x09. 0x0a (KZG point evaluation) is absent: a call to
/// it behaves as a call to an empty account (docs/evm.md).
public enum Precompiles {
    /// True for 0x01...0x09.
    public static func contains(_ address: Address) -> Bool {
        number(of: address) != nil
    }

    /// 0x0a, Cancun's KZG point evaluation: absent on Quorate (an empty account), but warm from
    /// the start of every transaction as on mainnet.
    public static let pointEvaluationAddress = Address([UInt8](repeating: 0, count: 19) + [10])

    public static let addresses: [Address] = (1...9).map { n in
        Address([UInt8](repeating: 0, count: 19) + [UInt8(n)])
    }

    static func number(of address: Address) -> UInt8? {
        let b = address.bytes
        for i in 0..<19 where b[i] != 0 { return nil }
        return (1...9).contains(b[19]) ? b[19] : nil
    }

    /// Runs the precompile at `address` with the gas its call frame received. Every price is
    /// checked before any work or allocation that depends on the input's claimed lengths.
    /// Callers check `contains` first; any other address is a failure.
    public static func run(_ address: Address, input: [UInt8], gasLimit: UInt64) -> PrecompileResult {
        guard let n = number(of: address) else { return .failure }
        switch n {
        case 1: return ecrecover(input, gasLimit: gasLimit)
        case 2: return sha256(input, gasLimit: gasLimit)
        case 3: return ripemd160(input, gasLimit: gasLimit)
        case 4: return identity(input, gasLimit: gasLimit)
        case 5: return modexp(input, gasLimit: gasLimit)
        case 6: return bn254Add(input, gasLimit: gasLimit)
        case 7: return bn254Mul(input, gasLimit: gasLimit)
        case 8: return bn254Pairing(input, gasLimit: gasLimit)
        case 9: return blake2f(input, gasLimit: gasLimit)
        default: preconditionFailure("precompile number \(n) outside 1...9")
        }
    }

    static func identity(_ input: [UInt8], gasLimit: UInt64) -> PrecompileResult {
        let words = UInt64((input.count + 31) / 32)
        let cost = 15 + 3 * words
        return cost <= gasLimit ? .success(gasUsed: cost, output: input) : .failure
    }
}
