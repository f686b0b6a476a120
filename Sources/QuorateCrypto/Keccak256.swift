/// Ethereum's Keccak-256: Keccak-f[1600] with rate 136 bytes and the original 0x01 padding
/// (not SHA3-256's 0x06). OpenSSL 3.0 has no such digest, hence this implementation.
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
    private static let rotations: [UInt64] = [
        0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
    ]
    // pi: lane (x, y) moves to (y, 2x + 3y); precomputed as a destination index per source index.
    private static let piDestination: [Int] = (0..<25).map { i in
        let x = i % 5, y = i / 5
        return y + 5 * ((2 * x + 3 * y) % 5)
    }

    public static func hash(_ data: [UInt8]) -> [UInt8] {
        data.withUnsafeBufferPointer { hash($0) }
    }

    public static func hash(_ data: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var state = [UInt64](repeating: 0, count: 25)
        var offset = 0
        while data.count - offset >= rateBytes {
            absorb(data, from: offset, count: rateBytes, into: &state)
            permute(&state)
            offset += rateBytes
        }
        var last = [UInt8](repeating: 0, count: rateBytes)
        for i in 0..<(data.count - offset) { last[i] = data[offset + i] }
        last[data.count - offset] ^= 0x01
        last[rateBytes - 1] ^= 0x80
        last.withUnsafeBufferPointer { absorb($0, from: 0, count: rateBytes, into: &state) }
        permute(&state)
        var out = [UInt8](repeating: 0, count: 32)
        for i in 0..<32 { out[i] = UInt8(truncatingIfNeeded: state[i / 8] >> (8 * UInt64(i % 8))) }
        return out
    }

    private static func absorb(_ data: UnsafeBufferPointer<UInt8>, from offset: Int, count: Int,
                               into state: inout [UInt64]) {
        for lane in 0..<(count / 8) {
            var word: UInt64 = 0
            for b in 0..<8 { word |= UInt64(data[offset + lane * 8 + b]) << (8 * UInt64(b)) }
            state[lane] ^= word
        }
    }

    private static func permute(_ a: inout [UInt64]) {
        a.withUnsafeMutableBufferPointer { s in
            var c = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
            var b = [UInt64](repeating: 0, count: 25)
            for round in 0..<24 {
                // theta
                c.0 = s[0] ^ s[5] ^ s[10] ^ s[15] ^ s[20]
                c.1 = s[1] ^ s[6] ^ s[11] ^ s[16] ^ s[21]
                c.2 = s[2] ^ s[7] ^ s[12] ^ s[17] ^ s[22]
                c.3 = s[3] ^ s[8] ^ s[13] ^ s[18] ^ s[23]
                c.4 = s[4] ^ s[9] ^ s[14] ^ s[19] ^ s[24]
                let d0 = c.4 ^ rotl(c.1, 1), d1 = c.0 ^ rotl(c.2, 1), d2 = c.1 ^ rotl(c.3, 1)
                let d3 = c.2 ^ rotl(c.4, 1), d4 = c.3 ^ rotl(c.0, 1)
                for y in stride(from: 0, to: 25, by: 5) {
                    s[y] ^= d0; s[y + 1] ^= d1; s[y + 2] ^= d2; s[y + 3] ^= d3; s[y + 4] ^= d4
                }
                // rho and pi
                for i in 0..<25 { b[piDestination[i]] = rotl(s[i], rotations[i]) }
                // chi
                for y in stride(from: 0, to: 25, by: 5) {
                    let b0 = b[y], b1 = b[y + 1], b2 = b[y + 2], b3 = b[y + 3], b4 = b[y + 4]
                    s[y] = b0 ^ (~b1 & b2)
                    s[y + 1] = b1 ^ (~b2 & b3)
                    s[y + 2] = b2 ^ (~b3 & b4)
                    s[y + 3] = b3 ^ (~b4 & b0)
                    s[y + 4] = b4 ^ (~b0 & b1)
                }
                // iota
                s[0] ^= roundConstants[round]
            }
        }
    }

    @inline(__always) private static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 {
        n == 0 ? x : (x << n) | (x >> (64 - n))
    }
}
