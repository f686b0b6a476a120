import QuorateCore

/// The hashes of the last `ChainStore.blockHashWindow` blocks, which BLOCKHASH reads.
///
/// BLOCKHASH costs 20 gas, so a block may ask it about a million times: each answer must cost
/// what a memory read costs, not a block read from disk and decoded (a full block is about a
/// megabyte). Slot `height % window` holds that height's hash.
struct RecentBlockHashes {
    private var slots: [(height: UInt64, hash: Hash32)?]

    init() {
        slots = Array(repeating: nil, count: Int(ChainStore.blockHashWindow))
    }

    mutating func record(_ hash: Hash32, at height: UInt64) {
        slots[Int(height % ChainStore.blockHashWindow)] = (height, hash)
    }

    /// Nil when the height is not one of the last window's (or was never recorded).
    func hash(at height: UInt64) -> Hash32? {
        guard let slot = slots[Int(height % ChainStore.blockHashWindow)], slot.height == height else { return nil }
        return slot.hash
    }
}
