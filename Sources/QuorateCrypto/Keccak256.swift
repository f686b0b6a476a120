/// Ethereum's Keccak-256: Keccak-f[1600] with rate 136 bytes and the original 0x01 padding
/// (not SHA3-256's 0x06). OpenSSL 3.0 has no such digest, hence this implementation.
///
/// The permutation is fully unrolled over 25 local lanes, with no heap allocation per block:
/// transaction and block hashing call this on every hot path, also in debug-built tests.
public enum Keccak256 {
    static let rateBytes = 136

    private static let roundConstants: [UInt64] = [
        0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
        0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
        0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
        0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
        0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
        0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
    ]

    public static func hash(_ data: [UInt8]) -> [UInt8] {
        data.withUnsafeBufferPointer { hash($0) }
    }

    public static func hash(_ data: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var state = State()
        let input = UnsafeRawBufferPointer(data)
        var offset = 0
        while input.count - offset >= rateBytes {
            state.absorb(UnsafeRawBufferPointer(rebasing: input[offset..<(offset + rateBytes)]))
            permute(&state)
            offset += rateBytes
        }
        withUnsafeTemporaryAllocation(byteCount: rateBytes, alignment: 8) { last in
            last.initializeMemory(as: UInt8.self, repeating: 0)
            let tail = input.count - offset
            if tail > 0 { last.baseAddress!.copyMemory(from: input.baseAddress! + offset, byteCount: tail) }
            last[tail] ^= 0x01
            last[rateBytes - 1] ^= 0x80
            state.absorb(UnsafeRawBufferPointer(last))
        }
        permute(&state)
        var out = [UInt8](repeating: 0, count: 32)
        let words = [state.a0.littleEndian, state.a1.littleEndian, state.a2.littleEndian, state.a3.littleEndian]
        out.withUnsafeMutableBytes { outBytes in
            words.withUnsafeBytes { outBytes.copyMemory(from: $0) }
        }
        return out
    }

    /// The 25 lanes; lane (x, y) is a(x + 5y).
    private struct State {
        var a0: UInt64 = 0, a1: UInt64 = 0, a2: UInt64 = 0, a3: UInt64 = 0, a4: UInt64 = 0
        var a5: UInt64 = 0, a6: UInt64 = 0, a7: UInt64 = 0, a8: UInt64 = 0, a9: UInt64 = 0
        var a10: UInt64 = 0, a11: UInt64 = 0, a12: UInt64 = 0, a13: UInt64 = 0, a14: UInt64 = 0
        var a15: UInt64 = 0, a16: UInt64 = 0, a17: UInt64 = 0, a18: UInt64 = 0, a19: UInt64 = 0
        var a20: UInt64 = 0, a21: UInt64 = 0, a22: UInt64 = 0, a23: UInt64 = 0, a24: UInt64 = 0

        /// XORs one 136-byte block (17 little-endian lanes) into the state.
        mutating func absorb(_ block: UnsafeRawBufferPointer) {
            func load(_ lane: Int) -> UInt64 {
                UInt64(littleEndian: block.loadUnaligned(fromByteOffset: lane * 8, as: UInt64.self))
            }
            a0 ^= load(0)
            a1 ^= load(1)
            a2 ^= load(2)
            a3 ^= load(3)
            a4 ^= load(4)
            a5 ^= load(5)
            a6 ^= load(6)
            a7 ^= load(7)
            a8 ^= load(8)
            a9 ^= load(9)
            a10 ^= load(10)
            a11 ^= load(11)
            a12 ^= load(12)
            a13 ^= load(13)
            a14 ^= load(14)
            a15 ^= load(15)
            a16 ^= load(16)
        }
    }

    private static func permute(_ state: inout State) {
        var s0 = state.a0, s1 = state.a1, s2 = state.a2, s3 = state.a3, s4 = state.a4
        var s5 = state.a5, s6 = state.a6, s7 = state.a7, s8 = state.a8, s9 = state.a9
        var s10 = state.a10, s11 = state.a11, s12 = state.a12, s13 = state.a13, s14 = state.a14
        var s15 = state.a15, s16 = state.a16, s17 = state.a17, s18 = state.a18, s19 = state.a19
        var s20 = state.a20, s21 = state.a21, s22 = state.a22, s23 = state.a23, s24 = state.a24
        var round = 0
        while round < 24 {
            // theta
            let c0 = s0 ^ s5 ^ s10 ^ s15 ^ s20
            let c1 = s1 ^ s6 ^ s11 ^ s16 ^ s21
            let c2 = s2 ^ s7 ^ s12 ^ s17 ^ s22
            let c3 = s3 ^ s8 ^ s13 ^ s18 ^ s23
            let c4 = s4 ^ s9 ^ s14 ^ s19 ^ s24
            let d0 = c4 ^ rotl(c1, 1)
            let d1 = c0 ^ rotl(c2, 1)
            let d2 = c1 ^ rotl(c3, 1)
            let d3 = c2 ^ rotl(c4, 1)
            let d4 = c3 ^ rotl(c0, 1)
            s0 ^= d0; s1 ^= d1; s2 ^= d2; s3 ^= d3; s4 ^= d4
            s5 ^= d0; s6 ^= d1; s7 ^= d2; s8 ^= d3; s9 ^= d4
            s10 ^= d0; s11 ^= d1; s12 ^= d2; s13 ^= d3; s14 ^= d4
            s15 ^= d0; s16 ^= d1; s17 ^= d2; s18 ^= d3; s19 ^= d4
            s20 ^= d0; s21 ^= d1; s22 ^= d2; s23 ^= d3; s24 ^= d4
            // rho and pi: lane (x, y) moves to (y, 2x + 3y), rotated
            let b0 = s0
            let b1 = rotl(s6, 44)
            let b2 = rotl(s12, 43)
            let b3 = rotl(s18, 21)
            let b4 = rotl(s24, 14)
            let b5 = rotl(s3, 28)
            let b6 = rotl(s9, 20)
            let b7 = rotl(s10, 3)
            let b8 = rotl(s16, 45)
            let b9 = rotl(s22, 61)
            let b10 = rotl(s1, 1)
            let b11 = rotl(s7, 6)
            let b12 = rotl(s13, 25)
            let b13 = rotl(s19, 8)
            let b14 = rotl(s20, 18)
            let b15 = rotl(s4, 27)
            let b16 = rotl(s5, 36)
            let b17 = rotl(s11, 10)
            let b18 = rotl(s17, 15)
            let b19 = rotl(s23, 56)
            let b20 = rotl(s2, 62)
            let b21 = rotl(s8, 55)
            let b22 = rotl(s14, 39)
            let b23 = rotl(s15, 41)
            let b24 = rotl(s21, 2)
            // chi
            s0 = b0 ^ (~b1 & b2)
            s1 = b1 ^ (~b2 & b3)
            s2 = b2 ^ (~b3 & b4)
            s3 = b3 ^ (~b4 & b0)
            s4 = b4 ^ (~b0 & b1)
            s5 = b5 ^ (~b6 & b7)
            s6 = b6 ^ (~b7 & b8)
            s7 = b7 ^ (~b8 & b9)
            s8 = b8 ^ (~b9 & b5)
            s9 = b9 ^ (~b5 & b6)
            s10 = b10 ^ (~b11 & b12)
            s11 = b11 ^ (~b12 & b13)
            s12 = b12 ^ (~b13 & b14)
            s13 = b13 ^ (~b14 & b10)
            s14 = b14 ^ (~b10 & b11)
            s15 = b15 ^ (~b16 & b17)
            s16 = b16 ^ (~b17 & b18)
            s17 = b17 ^ (~b18 & b19)
            s18 = b18 ^ (~b19 & b15)
            s19 = b19 ^ (~b15 & b16)
            s20 = b20 ^ (~b21 & b22)
            s21 = b21 ^ (~b22 & b23)
            s22 = b22 ^ (~b23 & b24)
            s23 = b23 ^ (~b24 & b20)
            s24 = b24 ^ (~b20 & b21)
            // iota
            s0 ^= roundConstants[round]
            round += 1
        }
        state.a0 = s0; state.a1 = s1; state.a2 = s2; state.a3 = s3; state.a4 = s4
        state.a5 = s5; state.a6 = s6; state.a7 = s7; state.a8 = s8; state.a9 = s9
        state.a10 = s10; state.a11 = s11; state.a12 = s12; state.a13 = s13; state.a14 = s14
        state.a15 = s15; state.a16 = s16; state.a17 = s17; state.a18 = s18; state.a19 = s19
        state.a20 = s20; state.a21 = s21; state.a22 = s22; state.a23 = s23; state.a24 = s24
    }

    @_transparent
    static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 {
        (x << n) | (x >> (64 - n))
    }
}
