import QuorateCore
import QuorateCrypto

/// Hex in a test's source or fixture: a typo is the test's bug, so it stops the run.
public func hex(_ text: String) -> [UInt8] {
    do { return try Hex.decode(text) } catch { fatalError("bad hex in test: \(text.prefix(40))") }
}

/// SplitMix64: a seeded generator, so every randomized test replays the same cases on every run
/// (SystemRandomNumberGenerator would make failures unreproducible).
public struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) } }
    public mutating func hash() -> Hash32 { Hash32(bytes(32)) }
}
