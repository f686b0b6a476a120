/// xoshiro256** seeded through SplitMix64 (Blackman and Vigna): every random choice of a run
/// comes from one of these, seeded from the run's seed, so a seed replays exactly.
public struct SimRandom: Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in 0..<bound (bound > 0), without modulo bias.
    public mutating func below(_ bound: UInt64) -> UInt64 {
        precondition(bound > 0, "empty range")
        let threshold = (0 &- bound) % bound
        while true {
            let r = next()
            if r >= threshold { return r % bound }
        }
    }

    public mutating func below(_ bound: Int) -> Int { Int(below(UInt64(bound))) }

    /// Uniform in the closed range.
    public mutating func inRange(_ range: ClosedRange<UInt64>) -> UInt64 {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// True with probability `permille / 1000`; integers keep the run free of float rounding.
    public mutating func chance(permille: UInt64) -> Bool { below(1000) < permille }

    public mutating func shuffle<T>(_ a: inout [T]) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, below(i + 1)) }
    }

    /// A child generator, so that adding a draw in one part of the simulator does not shift
    /// every other part's choices.
    public mutating func fork() -> SimRandom { SimRandom(seed: next()) }
}
