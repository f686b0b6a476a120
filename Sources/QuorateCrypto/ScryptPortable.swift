/// scrypt (RFC 7914) in Swift, used only where OpenSSL refuses: OpenSSL enforces the RFC's
/// N < 2^(16 r), so it rejects r = 1 with N >= 65536, which geth (golang.org/x/crypto) accepts
/// and which ethereum/tests' keystore vectors use. Parameters are bounded by the caller.
enum ScryptPortable {
    static func derive(password: [UInt8], salt: [UInt8], n: Int, r: Int, p: Int, length: Int) throws -> [UInt8] {
        let blockWords = 32 * r
        var b = try KDF.pbkdf2Unbounded(password: password, salt: salt, iterations: 1, length: p * 128 * r)
        var x = [UInt32](repeating: 0, count: blockWords)
        var y = [UInt32](repeating: 0, count: blockWords)
        var v = [UInt32](repeating: 0, count: blockWords * n)
        for lane in 0..<p {
            let base = lane * 128 * r
            for i in 0..<blockWords {
                let o = base + 4 * i
                x[i] = UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
            }
            x.withUnsafeMutableBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    v.withUnsafeMutableBufferPointer { vp in
                        romix(xp.baseAddress!, yp.baseAddress!, vp.baseAddress!, n: n, r: r)
                    }
                }
            }
            for i in 0..<blockWords {
                let o = base + 4 * i
                b[o] = UInt8(truncatingIfNeeded: x[i]); b[o + 1] = UInt8(truncatingIfNeeded: x[i] >> 8)
                b[o + 2] = UInt8(truncatingIfNeeded: x[i] >> 16); b[o + 3] = UInt8(truncatingIfNeeded: x[i] >> 24)
            }
        }
        return try KDF.pbkdf2Unbounded(password: password, salt: b, iterations: 1, length: length)
    }

    // Written to run tolerably in unoptimized builds too (while loops, transparent helpers):
    // the test suite opens an ethereum/tests keystore with N = 2^18 through this path.
    private static func romix(_ x: UnsafeMutablePointer<UInt32>, _ y: UnsafeMutablePointer<UInt32>,
                              _ v: UnsafeMutablePointer<UInt32>, n: Int, r: Int) {
        let words = 32 * r
        var i = 0
        while i < n {
            (v + i * words).update(from: x, count: words)
            blockMix(x, y, r: r)
            i += 1
        }
        i = 0
        while i < n {
            let j = Int(x[(2 * r - 1) * 16]) & (n - 1)
            let vj = v + j * words
            var k = 0
            while k < words { x[k] ^= vj[k]; k += 1 }
            blockMix(x, y, r: r)
            i += 1
        }
    }

    /// B' = (Y0, Y2, ..., Y1, Y3, ...) where Y_i = Salsa20/8(Y_{i-1} xor B_i); result back in `b`.
    private static func blockMix(_ b: UnsafeMutablePointer<UInt32>, _ y: UnsafeMutablePointer<UInt32>, r: Int) {
        var t = (b + (2 * r - 1) * 16).withMemoryRebound(to: UInt32.self, capacity: 16) { p in
            (p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15])
        }
        var i = 0
        while i < 2 * r {
            defer { i += 1 }
            let bi = b + i * 16
            let out = y + ((i & 1) * r + (i >> 1)) * 16
            salsa(&t, bi)
            out[0] = t.0; out[1] = t.1; out[2] = t.2; out[3] = t.3; out[4] = t.4; out[5] = t.5; out[6] = t.6; out[7] = t.7
            out[8] = t.8; out[9] = t.9; out[10] = t.10; out[11] = t.11; out[12] = t.12; out[13] = t.13; out[14] = t.14; out[15] = t.15
        }
        b.update(from: y, count: 32 * r)
    }

    typealias Block = (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
                       UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)

    /// t = Salsa20/8(t xor b).
    @_transparent
    static func salsa(_ t: inout Block, _ b: UnsafeMutablePointer<UInt32>) {
        let i0 = t.0 ^ b[0], i1 = t.1 ^ b[1], i2 = t.2 ^ b[2], i3 = t.3 ^ b[3]
        let i4 = t.4 ^ b[4], i5 = t.5 ^ b[5], i6 = t.6 ^ b[6], i7 = t.7 ^ b[7]
        let i8 = t.8 ^ b[8], i9 = t.9 ^ b[9], i10 = t.10 ^ b[10], i11 = t.11 ^ b[11]
        let i12 = t.12 ^ b[12], i13 = t.13 ^ b[13], i14 = t.14 ^ b[14], i15 = t.15 ^ b[15]
        var x0 = i0, x1 = i1, x2 = i2, x3 = i3, x4 = i4, x5 = i5, x6 = i6, x7 = i7
        var x8 = i8, x9 = i9, x10 = i10, x11 = i11, x12 = i12, x13 = i13, x14 = i14, x15 = i15
        var round = 0
        while round < 4 {
            round += 1
            x4 ^= rotl(x0 &+ x12, 7); x8 ^= rotl(x4 &+ x0, 9); x12 ^= rotl(x8 &+ x4, 13); x0 ^= rotl(x12 &+ x8, 18)
            x9 ^= rotl(x5 &+ x1, 7); x13 ^= rotl(x9 &+ x5, 9); x1 ^= rotl(x13 &+ x9, 13); x5 ^= rotl(x1 &+ x13, 18)
            x14 ^= rotl(x10 &+ x6, 7); x2 ^= rotl(x14 &+ x10, 9); x6 ^= rotl(x2 &+ x14, 13); x10 ^= rotl(x6 &+ x2, 18)
            x3 ^= rotl(x15 &+ x11, 7); x7 ^= rotl(x3 &+ x15, 9); x11 ^= rotl(x7 &+ x3, 13); x15 ^= rotl(x11 &+ x7, 18)
            x1 ^= rotl(x0 &+ x3, 7); x2 ^= rotl(x1 &+ x0, 9); x3 ^= rotl(x2 &+ x1, 13); x0 ^= rotl(x3 &+ x2, 18)
            x6 ^= rotl(x5 &+ x4, 7); x7 ^= rotl(x6 &+ x5, 9); x4 ^= rotl(x7 &+ x6, 13); x5 ^= rotl(x4 &+ x7, 18)
            x11 ^= rotl(x10 &+ x9, 7); x8 ^= rotl(x11 &+ x10, 9); x9 ^= rotl(x8 &+ x11, 13); x10 ^= rotl(x9 &+ x8, 18)
            x12 ^= rotl(x15 &+ x14, 7); x13 ^= rotl(x12 &+ x15, 9); x14 ^= rotl(x13 &+ x12, 13); x15 ^= rotl(x14 &+ x13, 18)
        }
        t = (x0 &+ i0, x1 &+ i1, x2 &+ i2, x3 &+ i3, x4 &+ i4, x5 &+ i5, x6 &+ i6, x7 &+ i7,
             x8 &+ i8, x9 &+ i9, x10 &+ i10, x11 &+ i11, x12 &+ i12, x13 &+ i13, x14 &+ i14, x15 &+ i15)
    }

    @_transparent
    static func rotl(_ a: UInt32, _ n: UInt32) -> UInt32 { (a << n) | (a >> (32 - n)) }
}
