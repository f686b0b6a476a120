import QuorateCore

/// The block a read refers to: a named tag or a height.
public enum BlockTag: Hashable, Sendable {
    case latest
    case earliest
    case pending
    case safe
    case finalized
    case number(UInt64)

    static let names: [(String, BlockTag)] = [
        ("latest", .latest), ("earliest", .earliest), ("pending", .pending), ("safe", .safe), ("finalized", .finalized),
    ]
}

/// A block parameter as EIP-1898 widens it: a tag/number, or a block hash.
public enum BlockSelector: Hashable, Sendable {
    case tag(BlockTag)
    /// `requireCanonical` is the EIP-1898 flag; with BFT finality every stored block is canonical,
    /// but the flag is kept so a handler can echo geth's behaviour if it must.
    case hash(Hash32, requireCanonical: Bool)
}
