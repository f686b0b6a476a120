import COpenSSL

/// base^exponent mod modulus over big-endian unsigned integers of any length, through
/// OpenSSL's BN. Needed by the EVM's precompiled contract 0x05 (modexp).
public enum ModularExponentiation {
    /// The result is left-padded to the modulus's length; a zero modulus gives zeros
    /// (the EVM's rule), and 0^0 is 1.
    public static func compute(base: [UInt8], exponent: [UInt8], modulus: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: modulus.count)
        guard modulus.contains(where: { $0 != 0 }) else { return result }
        let context = BigNumberContext()
        let b = context.number(base), e = context.number(exponent), m = context.number(modulus)
        let r = context.number([])
        let ok = BN_mod_exp(r, b, e, m, context.ctx)
        // With a non-zero modulus BN_mod_exp fails only when memory runs out.
        precondition(ok == 1, "OpenSSL BN_mod_exp failed")
        let written = result.withUnsafeMutableBufferPointer {
            BN_bn2binpad(r, $0.baseAddress, Int32($0.count))
        }
        precondition(Int(written) == modulus.count, "OpenSSL BN_bn2binpad failed")
        return result
    }
}

/// Owns a BN_CTX and every BIGNUM made through it; all are freed together.
private final class BigNumberContext {
    let ctx: OpaquePointer
    private var numbers: [OpaquePointer] = []

    init() {
        guard let ctx = BN_CTX_new() else { preconditionFailure("OpenSSL BN_CTX_new failed") }
        self.ctx = ctx
    }

    func number(_ bigEndian: [UInt8]) -> OpaquePointer {
        precondition(bigEndian.count <= Int(Int32.max), "big number too long")
        let n = OpenSSL.withBytes(bigEndian) { BN_bin2bn($0, Int32($1), nil) }
        guard let n else { preconditionFailure("OpenSSL BN_bin2bn failed") }
        numbers.append(n)
        return n
    }

    deinit {
        for n in numbers { BN_free(n) }
        BN_CTX_free(ctx)
    }
}
