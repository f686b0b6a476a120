import Foundation
import QuorateCrypto

public struct GenesisError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(description: String) { self.description = description }
}

/// The genesis file: chain id, validators, initial balances, consensus and fee parameters.
/// Its format is documented in Genesis/README.md.
public struct Genesis: Equatable, Sendable {
    public static let maxFileBytes = 64 << 20
    public static let maxAllocAccounts = 1_000_000

    public var chainId: UInt64
    public var timestampMs: UInt64
    public var validators: ValidatorSet
    /// Sorted by address.
    public var alloc: [(address: Address, balance: UInt256)]
    public var consensus: ConsensusParams
    public var fees: FeeParams
    /// Account roles and whether they are enforced; off unless the file has the section.
    public var permissioning: PermissioningParams

    public init(chainId: UInt64, timestampMs: UInt64, validators: ValidatorSet,
                alloc: [(address: Address, balance: UInt256)], consensus: ConsensusParams = .init(),
                fees: FeeParams = .init(), permissioning: PermissioningParams = .init()) {
        self.chainId = chainId
        self.timestampMs = timestampMs
        self.validators = validators
        self.alloc = alloc.sorted { $0.address < $1.address }
        self.consensus = consensus
        self.fees = fees
        self.permissioning = permissioning
    }

    public static func == (a: Genesis, b: Genesis) -> Bool {
        a.chainId == b.chainId && a.timestampMs == b.timestampMs && a.validators == b.validators
            && a.alloc.elementsEqual(b.alloc, by: { $0.address == $1.address && $0.balance == $1.balance })
            && a.consensus == b.consensus && a.fees == b.fees && a.permissioning == b.permissioning
    }

    /// keccak256 of the canonical genesis content; stored with the chain so that a data directory
    /// initialised from one genesis refuses another.
    /// A genesis with permissioning off hashes exactly as before permissioning existed; with it
    /// on, `[1, [[address, roles], ...]]` is appended.
    public var contentHash: Hash32 {
        var fields: [RLPItem] = [
            RLPItem(chainId), RLPItem(timestampMs), validators.rlp,
            .list(alloc.map { .list([RLPItem($0.address), RLPItem($0.balance)]) }),
            .list(consensusFields.map { RLPItem($0.1) }),
            RLPItem(fees.baseFeePerGas), RLPItem(fees.blockGasLimit), RLPItem(fees.maxTransactionDataBytes),
        ]
        if permissioning.accountPermissioning {
            fields.append(.list([RLPItem(UInt64(1)),
                                 .list(permissioning.roles.map { .list([RLPItem($0.address), RLPItem($0.roles.rawValue)]) })]))
        }
        return Hash32.keccak(RLP.encode(.list(fields)))
    }

    var consensusFields: [(String, UInt64)] {
        [("timeoutProposeMs", consensus.timeoutProposeMs), ("timeoutPrevoteMs", consensus.timeoutPrevoteMs),
         ("timeoutPrecommitMs", consensus.timeoutPrecommitMs), ("timeoutDeltaMs", consensus.timeoutDeltaMs),
         ("timeoutMaxMs", consensus.timeoutMaxMs), ("blockIntervalMsMin", consensus.blockIntervalMsMin),
         ("heartbeatIntervalMs", consensus.heartbeatIntervalMs),
         ("maxBlockTransactions", consensus.maxBlockTransactions), ("maxBlockBytes", consensus.maxBlockBytes)]
    }
}
