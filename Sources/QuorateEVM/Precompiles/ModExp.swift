import QuorateCrypto

/// 0x05: base^exp mod m over arbitrary-length integers, priced by EIP-2565.
extension Precompiles {
    static let modexpMinimumGas: UInt64 = 200

    /// Reads `count` bytes at `offset`, zeros past the end of the input; offset may be huge.
    static func slice(_ input: [UInt8], offset: UInt64, count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        guard offset < UInt64(input.count) else { return out }
        let start = Int(offset)
        let available = min(count, input.count - start)
        out.replaceSubrange(0..<available, with: input[start..<start + available])
        return out
    }

    /// A 32-byte big-endian length, saturated to UInt64.max when it does not fit.
    static func length(_ word: [UInt8]) -> UInt64 {
        guard word[0..<24].allSatisfy({ $0 == 0 }) else { return .max }
        return word[24..<32].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    static func modexp(_ input: [UInt8], gasLimit: UInt64) -> PrecompileResult {
        let baseLength = length(slice(input, offset: 0, count: 32))
        let expLength = length(slice(input, offset: 32, count: 32))
        let modLength = length(slice(input, offset: 64, count: 32))
        // The exponent's first 32 bytes price the call; they may lie past a huge base.
        let (expStart, startOverflow) = UInt64(96).addingReportingOverflow(baseLength)
        let headLength = Int(min(expLength, 32))
        let head = startOverflow ? [UInt8](repeating: 0, count: headLength)
                                 : slice(input, offset: expStart, count: headLength)
        guard let cost = modexpGas(baseLength: baseLength, expLength: expLength, modLength: modLength, expHead: head),
              cost <= gasLimit else { return .failure }
        if baseLength == 0 && modLength == 0 { return .success(gasUsed: cost, output: []) }
        // Paying for these lengths takes over 5e9 gas (the exponent's) or far more (base and
        // modulus, priced quadratically), so within any real gas limit they are small.
        let limit = UInt64(Int32.max)
        guard baseLength <= limit, expLength <= limit, modLength <= limit else { return .failure }
        let base = slice(input, offset: 96, count: Int(baseLength))
        let exponent = slice(input, offset: 96 + baseLength, count: Int(expLength))
        let modulus = slice(input, offset: 96 + baseLength + expLength, count: Int(modLength))
        let output = ModularExponentiation.compute(base: base, exponent: exponent, modulus: modulus)
        return .success(gasUsed: cost, output: output)
    }

    /// EIP-2565: max(200, ceil(max(blen, mlen) / 8)^2 * iterations / 3); nil when the price
    /// exceeds UInt64 (no gas limit can pay it).
    static func modexpGas(baseLength: UInt64, expLength: UInt64, modLength: UInt64, expHead: [UInt8]) -> UInt64? {
        let longest = max(baseLength, modLength)
        let words = longest / 8 + (longest % 8 == 0 ? 0 : 1)
        let (complexity, o1) = words.multipliedReportingOverflow(by: words)
        guard !o1 else { return nil }
        // Zero complexity prices any exponent at the minimum, however long it claims to be.
        if complexity == 0 { return modexpMinimumGas }
        guard let iterations = modexpIterations(expLength: expLength, expHead: expHead) else { return nil }
        let (product, o2) = complexity.multipliedReportingOverflow(by: iterations)
        guard !o2 else { return nil }
        return max(modexpMinimumGas, product / 3)
    }

    /// The exponent's bit length minus one, with 8 bits per byte beyond the first 32; at least 1.
    static func modexpIterations(expLength: UInt64, expHead: [UInt8]) -> UInt64? {
        var headBits: UInt64 = 0
        if let first = expHead.firstIndex(where: { $0 != 0 }) {
            headBits = UInt64((expHead.count - first) * 8 - expHead[first].leadingZeroBitCount - 1)
        }
        guard expLength > 32 else { return max(headBits, 1) }
        let (extra, o) = (expLength - 32).multipliedReportingOverflow(by: 8)
        guard !o else { return nil }
        let (sum, o2) = extra.addingReportingOverflow(headBits)
        return o2 ? nil : max(sum, 1)
    }
}
