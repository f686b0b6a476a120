import Dispatch
import Foundation
import QuorateConsensus
import QuorateCore
import QuorateCrypto
import QuorateRPC
import QuorateState
import QuorateStorage
import Synchronization

/// One Quorate node: its store, mempool and the serial executor that builds and commits blocks.
///
/// Signature checks of submitted transactions run on the caller's thread (RPC threads), never on
/// the executor, and are cached in the mempool entry.
public final class Node: @unchecked Sendable {
    public let config: NodeConfig
    public let store: ChainStore
    public let mempool: Mempool
    public let rules: ChainRules
    let consensus: ConsensusDriver
    private let startHeight: UInt64

    public init(config: NodeConfig, transport: ConsensusTransport = NoPeers(),
                clockMs: @escaping @Sendable () -> UInt64 = Node.wallClockMs) throws {
        self.config = config
        store = try ChainStore(path: config.storePath)
        rules = ChainRules(genesis: store.genesis)
        mempool = Mempool(limits: config.mempoolLimits)
        startHeight = store.head.height
        if let key = config.validatorKey {
            let address = Address(key.publicKey.ethereumAddress)
            guard store.genesis.validators.contains(address) else {
                throw StoreError("the validator key \(address) is not in this chain's validator set; start without it to run a non-voting node")
            }
        }
        consensus = ConsensusDriver(store: store, mempool: mempool, rules: rules, key: config.validatorKey,
                                    transport: transport, clockMs: clockMs)
    }

    public func start() throws {
        try consensus.start()
    }

    public func stop() {
        consensus.stop()
    }

    public var consensusStatus: ConsensusStatus? { consensus.status }

    public static let wallClockMs: @Sendable () -> UInt64 = {
        UInt64(Date().timeIntervalSince1970 * 1000)
    }

    /// Decodes, checks and pools a raw transaction. Rejections carry geth's wording.
    public func submit(raw: [UInt8]) throws -> Hash32 {
        guard raw.count <= Transaction.maxEncodedBytes else {
            throw TransactionRejection(.oversizedData, "oversized data: transaction of \(raw.count) bytes exceeds \(Transaction.maxEncodedBytes)")
        }
        let tx: Transaction
        do { tx = try Transaction.decode(raw: raw) } catch {
            throw SubmitError("\(error)")
        }
        if try mempool.contains(tx.hash) || store.transactionLocation(tx.hash) != nil {
            throw TransactionRejection(.alreadyKnown, "already known")
        }
        try TransactionRules.checkStateless(tx, chainId: rules.chainId, fees: rules.fees)
        // Cheap checks first (signature ranges, EIP-2 high S, overflow); recovery (~45 us) last.
        do { try tx.validateStateless(chainId: rules.chainId) } catch { throw SubmitError("\(error)") }
        let sender: Address
        do { sender = try tx.recoverSender() } catch {
            throw TransactionRejection(.invalidSignature, "invalid sender: \(error)")
        }
        let account = try store.account(sender) ?? .empty
        try mempool.add(tx, sender: sender, account: account)
        consensus.transactionsArrived()
        return tx.hash
    }

    public func syncStatus() -> (startingBlock: UInt64, currentBlock: UInt64, highestBlock: UInt64)? {
        // A lone validator is the chain's head; block sync (the network issue) reports here.
        nil
    }

    /// Blocks until the block at `height` is committed or `timeoutMs` passes; for tools and tests.
    public func waitForHeight(_ height: UInt64, timeoutMs: UInt64) -> Bool {
        let deadline = Node.wallClockMs() + timeoutMs
        while store.head.height < height {
            if Node.wallClockMs() > deadline { return false }
            usleep(2_000)
        }
        return true
    }
}
