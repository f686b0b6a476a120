import QuorateCore

/// Why a transaction cannot enter the mempool or a block. Messages follow geth's wording where
/// geth has one, because clients (web3.py, ethers) and their users match on them.
public struct TransactionRejection: Error, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        case unprotected, wrongChainId, contractCreation, oversizedData, intrinsicGasTooLow, gasLimitTooHigh
        case tipAboveFeeCap, feeCapBelowBaseFee, nonceTooLow, nonceTooHigh, insufficientFunds, overflow
        case alreadyKnown, poolFull, senderQueueFull, notPermitted, replacementUnderpriced, invalidSignature
        case invalidSystemTransaction
        /// The block has less gas left than the transaction's limit: it may fit in a later block.
        case blockGasExhausted
    }

    public let kind: Kind
    public let description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}

/// The checks shared by the mempool (on entry) and block execution (at apply time).
public enum TransactionRules {
    /// Checks that need no account state.
    public static func checkStateless(_ tx: Transaction, chainId: UInt64, fees: FeeParams) throws {
        guard let txChainId = tx.chainId else {
            throw TransactionRejection(.unprotected, "only replay-protected (EIP-155) transactions allowed over RPC")
        }
        guard txChainId == chainId else {
            throw TransactionRejection(.wrongChainId, "invalid chain id for signer: have \(txChainId) want \(chainId)")
        }
        if tx.to == nil && tx.data.count > Transaction.maxInitCodeBytes {
            throw TransactionRejection(.oversizedData,
                                       "max initcode size exceeded: code size \(tx.data.count) limit \(Transaction.maxInitCodeBytes)")
        }
        guard UInt64(tx.data.count) <= fees.maxTransactionDataBytes else {
            throw TransactionRejection(.oversizedData,
                                       "oversized data: transaction data is \(tx.data.count) bytes, the limit is \(fees.maxTransactionDataBytes)")
        }
        let intrinsic = tx.intrinsicGas
        guard tx.gasLimit >= intrinsic else {
            throw TransactionRejection(.intrinsicGasTooLow, "intrinsic gas too low: gas \(tx.gasLimit), minimum needed \(intrinsic)")
        }
        guard tx.gasLimit <= fees.blockGasLimit else {
            throw TransactionRejection(.gasLimitTooHigh, "exceeds block gas limit: gas \(tx.gasLimit), block limit \(fees.blockGasLimit)")
        }
        guard tx.maxPriorityFeePerGas <= tx.maxFeePerGas else {
            throw TransactionRejection(.tipAboveFeeCap,
                                       "max priority fee per gas higher than max fee per gas: maxPriorityFeePerGas: \(tx.maxPriorityFeePerGas), maxFeePerGas: \(tx.maxFeePerGas)")
        }
        guard tx.maxFeePerGas >= fees.baseFeePerGas else {
            throw TransactionRejection(.feeCapBelowBaseFee,
                                       "max fee per gas less than block base fee: maxFeePerGas: \(tx.maxFeePerGas), baseFee: \(fees.baseFeePerGas)")
        }
    }

    /// The most the sender can be charged: gasLimit * maxFeePerGas + value (geth's balance check).
    public static func maxCost(_ tx: Transaction) throws -> UInt256 {
        let (fee, o1) = UInt256(tx.gasLimit).multipliedReportingOverflow(by: tx.maxFeePerGas)
        let (total, o2) = fee.addingReportingOverflow(tx.value)
        guard !o1, !o2 else { throw TransactionRejection(.overflow, "gas * price + value overflows 256 bits") }
        return total
    }

    public static func checkFunds(_ tx: Transaction, sender: Address, balance: UInt256) throws {
        let cost = try maxCost(tx)
        guard balance >= cost else {
            throw TransactionRejection(.insufficientFunds,
                                       "insufficient funds for gas * price + value: address \(sender) have \(balance) want \(cost)")
        }
    }

    /// Decodes a transaction to a system address and checks who may send it (the rules of
    /// docs/permissioning.md). Validator votes are decoded on every chain (whether the sender is a
    /// validator is the vote's own check, against the set the block executes with); with account
    /// permissioning on, role and node-key commands need an admin, and every other transaction
    /// needs the `transact` role. Returns nil for an ordinary transfer. Shared by submission
    /// (against the committed state) and execution (against the block's state).
    public static func systemCommand(_ tx: Transaction, sender: Address, roles: Roles,
                                     accountPermissioning: Bool) throws -> SystemCommand? {
        if tx.to == SystemAddress.validatorVotes {
            try requireZeroValue(tx, "validator vote")
            do { return .validatorVote(try ValidatorVoteCommand(decoding: tx.data)) } catch {
                throw TransactionRejection(.invalidSystemTransaction, "invalid validator vote: \(error)")
            }
        }
        guard accountPermissioning else { return nil }
        guard let to = tx.to else {
            guard roles.contains(.deploy) else {
                throw TransactionRejection(.notPermitted,
                                           "sender not authorized to deploy contracts: \(sender) lacks the deploy role (account permissioning is on)")
            }
            return nil
        }
        switch to {
        case SystemAddress.permissions:
            return .role(try roleCommand(tx, sender: sender, roles: roles))
        case SystemAddress.nodes:
            guard roles.contains(.admin) else {
                throw TransactionRejection(.notPermitted, "sender not authorized to manage node keys: \(sender) lacks the admin role")
            }
            try requireZeroValue(tx, "node transaction")
            do { return .nodeKey(try NodeKeyCommand(decoding: tx.data)) } catch {
                throw TransactionRejection(.invalidSystemTransaction, "invalid node transaction: \(error)")
            }
        default:
            guard roles.contains(.transact) else {
                throw TransactionRejection(.notPermitted,
                                           "sender not authorized to send transactions: \(sender) lacks the transact role (account permissioning is on)")
            }
            return nil
        }
    }

    private static func requireZeroValue(_ tx: Transaction, _ what: String) throws {
        guard tx.value.isZero else {
            throw TransactionRejection(.invalidSystemTransaction,
                                       "invalid \(what): value must be 0 for the system address \(tx.to!)")
        }
    }

    private static func roleCommand(_ tx: Transaction, sender: Address, roles: Roles) throws -> RoleCommand {
        guard roles.contains(.admin) else {
            throw TransactionRejection(.notPermitted,
                                       "sender not authorized to manage roles: \(sender) lacks the admin role")
        }
        guard tx.value.isZero else {
            throw TransactionRejection(.invalidSystemTransaction,
                                       "invalid role transaction: value must be 0 for the permissions system address \(SystemAddress.permissions)")
        }
        let command: RoleCommand
        do { command = try RoleCommand(decoding: tx.data) } catch {
            throw TransactionRejection(.invalidSystemTransaction, "invalid role transaction: \(error)")
        }
        guard !(command.operation == .revoke && command.roles.contains(.admin) && command.account == sender) else {
            throw TransactionRejection(.invalidSystemTransaction,
                                       "invalid role transaction: an admin cannot revoke its own admin role (so the chain always keeps an admin)")
        }
        return command
    }
}

/// What a transaction to a system address asks for.
public enum SystemCommand: Equatable, Sendable {
    case role(RoleCommand)
    case validatorVote(ValidatorVoteCommand)
    case nodeKey(NodeKeyCommand)
}
