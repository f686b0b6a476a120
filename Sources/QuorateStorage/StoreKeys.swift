import QuorateCore

/// The tables of the one LevelDB a node keeps, as one-byte key prefixes (DESIGN.md section 5).
enum StoreKeys {
    static let metaSchemaVersion = Array("m/schema".utf8)
    static let metaChainId = Array("m/chainId".utf8)
    static let metaGenesis = Array("m/genesis".utf8)
    static let metaHead = Array("m/head".utf8)
    static let consensusHardState = Array("k/hardstate".utf8)
    /// The lowest height whose state tree is whole (pruning deletes what older roots alone used).
    static let metaOldestState = Array("m/oldestState".utf8)
    /// The height of the last state tree written whole (`UnflushedStateNodes`); absent in a store
    /// that writes every height's tree (and in stores from before it existed): the head's.
    static let metaStateFlushed = Array("m/stateFlushed".utf8)
    /// The head height at the last clean stop, when every node memory held was written
    /// (`ChainStore.flushState`); `ChainStore.runningMark` while a process that keeps nodes in
    /// memory runs; absent for a store that writes every height's tree.
    static let metaCleanStop = Array("m/cleanStop".utf8)
    /// The lowest height whose block body is kept (--block-retention-heights).
    static let metaOldestBlock = Array("m/oldestBlock".utf8)
    /// The hashes of the state nodes block `height` superseded, concatenated (one key per block):
    /// deletable once no retained root needs them.
    static let staleNodePrefix: [UInt8] = [UInt8(ascii: "s")]
    static func staleNodes(_ height: UInt64) -> [UInt8] { staleNodePrefix + be(height) }
    /// A node written again by a later block (content addressing: an earlier subtree came back)
    /// with that block's height: its older stale entries must not delete it.
    static let revivedNodePrefix: [UInt8] = [UInt8(ascii: "p")]
    static func revivedNode(_ hash: Hash32) -> [UInt8] { revivedNodePrefix + hash.bytes }

    static func block(_ height: UInt64) -> [UInt8] { [UInt8(ascii: "b")] + be(height) }
    /// Each block's header on its own (BLOCKHASH, state sync and `eth_call` read it without the
    /// block), and below a state-sync snapshot the 255 headers kept without their blocks.
    static func header(_ height: UInt64) -> [UInt8] { [UInt8(ascii: "H")] + be(height) }
    static func heightByHash(_ hash: Hash32) -> [UInt8] { [UInt8(ascii: "h")] + hash.bytes }
    static func transactionLocation(_ hash: Hash32) -> [UInt8] { [UInt8(ascii: "t")] + hash.bytes }
    static func receipts(_ height: UInt64) -> [UInt8] { [UInt8(ascii: "r")] + be(height) }
    static func certificate(_ height: UInt64) -> [UInt8] { [UInt8(ascii: "c")] + be(height) }
    static func account(_ address: Address) -> [UInt8] { [UInt8(ascii: "a")] + address.bytes }
    static func stateNode(_ hash: Hash32) -> [UInt8] { [UInt8(ascii: "n")] + hash.bytes }
    /// Contract code by its keccak256 (docs/contracts.md); never deleted, shared by accounts.
    static func code(_ hash: Hash32) -> [UInt8] { [UInt8(ascii: "x")] + hash.bytes }
    /// The validator set in force from a height on, written when votes change it.
    static let validatorSetPrefix: [UInt8] = [UInt8(ascii: "v")]
    static func validatorSet(from height: UInt64) -> [UInt8] { validatorSetPrefix + be(height) }

    static func be(_ v: UInt64) -> [UInt8] {
        var out = [UInt8]()
        out.appendBigEndian(v)
        return out
    }

    static func uint64(_ bytes: [UInt8]) -> UInt64? {
        guard bytes.count == 8 else { return nil }
        return bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }
}
