import QuorateCrypto

/// 0x01 ecrecover, 0x02 sha256, 0x03 ripemd160.
extension Precompiles {
    static let ecrecoverGas: UInt64 = 3000

    /// Words of input, rounded up, as the hash precompiles price them.
    static func words(_ count: Int) -> UInt64 { UInt64((count + 31) / 32) }

    /// Invalid signatures are not errors here: the call succeeds with empty output.
    static func ecrecover(_ input: [UInt8], gasLimit: UInt64) -> PrecompileResult {
        guard ecrecoverGas <= gasLimit else { return .failure }
        let bytes = padded(input, to: 128)
        let empty = PrecompileResult.success(gasUsed: ecrecoverGas, output: [])
        // v is a full 32-byte word that must equal 27 or 28.
        guard bytes[32..<63].allSatisfy({ $0 == 0 }), bytes[63] == 27 || bytes[63] == 28 else { return empty }
        guard let address = Secp256k1.ecrecoverAddress(
            hash: Array(bytes[0..<32]), r: Array(bytes[64..<96]), s: Array(bytes[96..<128]),
            recoveryId: bytes[63] - 27) else { return empty }
        return .success(gasUsed: ecrecoverGas, output: [UInt8](repeating: 0, count: 12) + address)
    }

    static func sha256(_ input: [UInt8], gasLimit: UInt64) -> PrecompileResult {
        let cost = 60 + 12 * words(input.count)
        guard cost <= gasLimit else { return .failure }
        return .success(gasUsed: cost, output: SHA256.hash(input))
    }

    static func ripemd160(_ input: [UInt8], gasLimit: UInt64) -> PrecompileResult {
        let cost = 600 + 120 * words(input.count)
        guard cost <= gasLimit else { return .failure }
        return .success(gasUsed: cost, output: [UInt8](repeating: 0, count: 12) + RIPEMD160.hash(input))
    }
}
