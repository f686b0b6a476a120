/// 0x09: the BLAKE2b compression function F with a caller-chosen round count (EIP-152).
extension Precompiles {
    static func blake2f(_ input: [UInt8], gasLimit: UInt64) -> PrecompileResult {
        // rounds (4, big-endian) | h (64) | m (128) | t (16) | f (1).
        guard input.count == 213 else { return .failure }
        let rounds = input[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard UInt64(rounds) <= gasLimit else { return .failure }
        guard input[212] <= 1 else { return .failure }
        var h = Blake2.words(input, at: 4, count: 8)
        let m = Blake2.words(input, at: 68, count: 16)
        let t = Blake2.words(input, at: 196, count: 2)
        Blake2.compress(&h, m, t0: t[0], t1: t[1], isFinal: input[212] == 1, rounds: rounds)
        var output = [UInt8]()
        output.reserveCapacity(64)
        for word in h {
            for k in 0..<8 { output.append(UInt8(truncatingIfNeeded: word >> (8 * UInt64(k)))) }
        }
        return .success(gasUsed: UInt64(rounds), output: output)
    }
}

enum Blake2 {
    static let iv: [UInt64] = [
        0x6a09_e667_f3bc_c908, 0xbb67_ae85_84ca_a73b, 0x3c6e_f372_fe94_f82b, 0xa54f_f53a_5f1d_36f1,
        0x510e_527f_ade6_82d1, 0x9b05_688c_2b3e_6c1f, 0x1f83_d9ab_fb41_bd6b, 0x5be0_cd19_137e_2179,
    ]

    /// RFC 7693's message schedule, one row of 16 indices per round (round i uses row i mod 10).
    static let sigma: [Int] = [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
        11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4,
        7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8,
        9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13,
        2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9,
        12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11,
        13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10,
        6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5,
        10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0,
    ]

    /// Little-endian 64-bit words.
    static func words(_ bytes: [UInt8], at offset: Int, count: Int) -> [UInt64] {
        (0..<count).map { i in
            (0..<8).reduce(UInt64(0)) { acc, k in acc | UInt64(bytes[offset + 8 * i + k]) << (8 * UInt64(k)) }
        }
    }

    /// The working vector lives in sixteen locals and the message and schedule are read through
    /// unsafe pointers: up to 2^32 - 1 rounds run here, so no array access per step.
    static func compress(_ h: inout [UInt64], _ message: [UInt64], t0: UInt64, t1: UInt64, isFinal: Bool, rounds: UInt32) {
        precondition(h.count == 8 && message.count == 16, "blake2f state is 8 words, message 16")
        var v0 = h[0], v1 = h[1], v2 = h[2], v3 = h[3], v4 = h[4], v5 = h[5], v6 = h[6], v7 = h[7]
        var v8 = iv[0], v9 = iv[1], v10 = iv[2], v11 = iv[3]
        var v12 = iv[4] ^ t0, v13 = iv[5] ^ t1, v14 = isFinal ? ~iv[6] : iv[6], v15 = iv[7]
        message.withUnsafeBufferPointer { mp in
            sigma.withUnsafeBufferPointer { sp in
                let m = mp.baseAddress!
                var s = sp.baseAddress!
                let end = sp.baseAddress! + 160
                var round: UInt32 = 0
                while round < rounds {
                    mix(&v0, &v4, &v8, &v12, m[s[0]], m[s[1]])
                    mix(&v1, &v5, &v9, &v13, m[s[2]], m[s[3]])
                    mix(&v2, &v6, &v10, &v14, m[s[4]], m[s[5]])
                    mix(&v3, &v7, &v11, &v15, m[s[6]], m[s[7]])
                    mix(&v0, &v5, &v10, &v15, m[s[8]], m[s[9]])
                    mix(&v1, &v6, &v11, &v12, m[s[10]], m[s[11]])
                    mix(&v2, &v7, &v8, &v13, m[s[12]], m[s[13]])
                    mix(&v3, &v4, &v9, &v14, m[s[14]], m[s[15]])
                    round += 1
                    s += 16
                    if s == end { s = sp.baseAddress! }
                }
            }
        }
        h[0] ^= v0 ^ v8; h[1] ^= v1 ^ v9; h[2] ^= v2 ^ v10; h[3] ^= v3 ^ v11
        h[4] ^= v4 ^ v12; h[5] ^= v5 ^ v13; h[6] ^= v6 ^ v14; h[7] ^= v7 ^ v15
    }

    @inline(__always)
    static func mix(_ a: inout UInt64, _ b: inout UInt64, _ c: inout UInt64, _ d: inout UInt64, _ x: UInt64, _ y: UInt64) {
        a = a &+ b &+ x
        d = rotateRight(d ^ a, 32)
        c = c &+ d
        b = rotateRight(b ^ c, 24)
        a = a &+ b &+ y
        d = rotateRight(d ^ a, 16)
        c = c &+ d
        b = rotateRight(b ^ c, 63)
    }

    @inline(__always)
    static func rotateRight(_ x: UInt64, _ n: UInt64) -> UInt64 { x >> n | x << (64 - n) }
}
