/// 0x06-0x08: bn254 addition, scalar multiplication and pairing check (EIP-196, EIP-197),
/// priced by EIP-1108.
extension Precompiles {
    static let bn254AddGas: UInt64 = 150
    static let bn254MulGas: UInt64 = 6000
    static let bn254PairingBaseGas: UInt64 = 45000
    static let bn254PairingPerPairGas: UInt64 = 34000

    /// Reads input past its end as zeros, as EIP-196 says.
    static func padded(_ input: [UInt8], to length: Int) -> [UInt8] {
        input.count >= length ? Array(input.prefix(length)) : input + [UInt8](repeating: 0, count: length - input.count)
    }

    static func bn254Add(_ input: [UInt8], gasLimit: UInt64) -> PrecompileResult {
        guard bn254AddGas <= gasLimit else { return .failure }
        let bytes = padded(input, to: 128)
        guard let a = BN254.decodeG1(bytes[0..<64]), let b = BN254.decodeG1(bytes[64..<128]) else { return .failure }
        let sum = JacobianPoint(a) + JacobianPoint(b)
        return .success(gasUsed: bn254AddGas, output: BN254.encodeG1(sum.affine))
    }

    static func bn254Mul(_ input: [UInt8], gasLimit: UInt64) -> PrecompileResult {
        guard bn254MulGas <= gasLimit else { return .failure }
        let bytes = padded(input, to: 96)
        guard let point = BN254.decodeG1(bytes[0..<64]) else { return .failure }
        // The scalar is used as given, not reduced mod r (the result is the same either way).
        let scalar = (0..<4).map { k in
            bytes[64 + 8 * k..<72 + 8 * k].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        }
        let product = JacobianPoint(point).multiplied(byLimbs: scalar)
        return .success(gasUsed: bn254MulGas, output: BN254.encodeG1(product.affine))
    }

    static func bn254Pairing(_ input: [UInt8], gasLimit: UInt64) -> PrecompileResult {
        guard input.count % 192 == 0 else { return .failure }
        let pairCount = UInt64(input.count / 192)
        // No overflow: the input is in memory, so pairCount is far below 2^64 / 34000.
        let gas = bn254PairingBaseGas + bn254PairingPerPairGas * pairCount
        guard gas <= gasLimit else { return .failure }
        var pairs: [(AffinePoint<Fp>, AffinePoint<Fp2>)] = []
        for offset in stride(from: 0, to: input.count, by: 192) {
            // Both points are validated even when the other is infinity.
            guard let g1 = BN254.decodeG1(input[offset..<offset + 64]),
                  let g2 = BN254.decodeG2(input[offset + 64..<offset + 192]) else { return .failure }
            if let g1, let g2 { pairs.append((g1, g2)) }
        }
        var output = [UInt8](repeating: 0, count: 32)
        if Pairing.productIsOne(pairs) { output[31] = 1 }
        return .success(gasUsed: gas, output: output)
    }
}
