import QuorateCore

public enum GenesisState {
    /// Block 0 and its state: the initial balances and roles committed into the state tree.
    public static func build(_ genesis: Genesis, nodes: StateNodeReader) throws -> ExecutedBlock {
        var total = UInt256.zero
        var state = StateOverlay(base: EmptyAccounts())
        for entry in genesis.alloc {
            let (sum, overflow) = total.addingReportingOverflow(entry.balance)
            guard !overflow else { throw GenesisError(description: "genesis: the total of all balances exceeds 2^256") }
            total = sum
            var account = try state.account(entry.address)
            account.balance = entry.balance
            state.setAccount(entry.address, account)
        }
        // Roles are written only with permissioning on (the genesis refuses them otherwise), so a
        // chain without permissioning has the same genesis state as before.
        if genesis.permissioning.accountPermissioning {
            for entry in genesis.permissioning.roles {
                var account = try state.account(entry.address)
                account.roles = entry.roles.rawValue
                state.setAccount(entry.address, account)
            }
        }
        let update = try state.commitment(root: .zero, reader: nodes)
        let header = BlockHeader(
            chainId: genesis.chainId, height: 0, timestampMs: genesis.timestampMs, parentHash: .zero, proposer: .zero,
            transactionsRoot: .zero, receiptsRoot: .zero, stateRoot: update.newRoot,
            validatorsHash: genesis.validators.hash, nextValidatorsHash: genesis.validators.hash,
            lastCommitHash: genesis.contentHash, gasLimit: genesis.fees.blockGasLimit, gasUsed: 0,
            baseFeePerGas: genesis.fees.baseFeePerGas)
        return ExecutedBlock(block: Block(header: header, transactions: [], lastCommit: nil), senders: [], receipts: [],
                             changedAccounts: state.changedAccounts, stateUpdate: update)
    }

    struct EmptyAccounts: AccountReader {
        func account(_ address: Address) throws -> Account? { nil }
        func stateValue(_ key: Hash32) throws -> [UInt8]? { nil }
    }
}
