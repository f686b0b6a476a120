import QuorateCore
import QuorateState
import QuorateStorage

/// The one check a certified block from outside consensus passes before it is committed: block
/// sync and `quorate-node import` both use it. The certificate must certify this block and hold a
/// quorum of the validators in force at its height; the block must extend the head and execute to
/// the roots in its header.
enum CertifiedBlockCheck {
    static func verify(_ block: Block, certificate: CommitCertificate, store: ChainStore, rules: ChainRules,
                       sender: (Transaction) throws -> Address) throws -> ExecutedBlock {
        try verify(block, certificate: certificate, parent: try store.parentState(for: store.head), rules: rules, sender: sender)
    }

    /// The same check against `parent`, which may be a block still being written (block sync's
    /// pipeline, `ChainStore.parentState(pending:)`): the validators in force at the block's
    /// height are the parent's next set (a block that does not follow the parent is refused by
    /// its execution).
    static func verify(_ block: Block, certificate: CommitCertificate, parent: ParentState, rules: ChainRules,
                       sender: (Transaction) throws -> Address) throws -> ExecutedBlock {
        guard certificate.height == block.height, certificate.blockHash == block.hash else {
            throw BlockValidationError("certificate of block \(block.height) certifies another block")
        }
        do {
            try certificate.verify(validators: parent.nextValidators, chainId: rules.chainId)
        } catch let error as CertificateError {
            throw BlockValidationError("certificate of block \(block.height) does not verify: \(error)")
        }
        return try BlockValidator.validate(block, parent: parent, rules: rules, sender: sender)
    }
}
