import Foundation
import QuorateCore
import QuorateCrypto
import QuorateCLI
import QuorateRPC

extension WalletCommands {
    /// `role grant|revoke ADDRESS ROLE[,ROLE] --from ADMIN`: a role command to the permissions
    /// system address (docs/permissioning.md), signed by an admin; waits for the commit and prints
    /// the account's roles before and after.
    static func role(_ args: inout CommandLineArguments) throws {
        let signer = try WalletSigner(&args)
        let rpc = signer.rpc
        try args.refuseUnknown()
        let usage = "usage: quorate-wallet role grant|revoke ADDRESS ROLE[,ROLE] --from ADMIN_KEYSTORE (roles: admin, transact, deploy)"
        guard args.positional.count == 3 else { throw CommandLineArguments.UsageError(usage) }
        let operation: RoleCommand.Operation
        switch args.positional[0] {
        case "grant": operation = .grant
        case "revoke": operation = .revoke
        default: throw CommandLineArguments.UsageError("unknown role operation \(args.positional[0]): \(usage)")
        }
        guard let account = try? Address(hex: args.positional[1]) else {
            throw CommandLineArguments.UsageError("\(args.positional[1]) is not an address: \(usage)")
        }
        var roles = Roles()
        for name in args.positional[2].split(separator: ",", omittingEmptySubsequences: false) {
            guard let role = Roles(name: String(name)) else {
                throw CommandLineArguments.UsageError("unknown role \"\(name)\" (roles: admin, transact, deploy)")
            }
            roles.insert(role)
        }
        let command = RoleCommand(operation, account, roles)

        let before = try rpc.call("quorate_getPermissions", [.string(account.hex)])
        guard before["accountPermissioning"]?.boolValue == true else {
            throw WalletError("this chain has account permissioning off (no permissioning section in its genesis): roles do not apply")
        }
        let key = try signer.unlock("ADMIN_KEYSTORE|ADDRESS", usage: usage)
        guard let receipt = try sendSystemTransaction(to: SystemAddress.permissions, data: command.encoded(), key: key,
                                                      signer: signer, what: command.description) else { return }
        let block = receipt["blockNumber"] ?? "latest"
        let after = try rpc.call("quorate_getPermissions", [.string(account.hex), block])
        let old = roleNames(before), new = roleNames(after)
        if old == new {
            print("roles       \(account.checksummed): \(new) (unchanged)")
        } else {
            print("roles       \(account.checksummed): \(old) -> \(new)")
        }
    }

    private static func roleNames(_ permissions: JSON) -> String {
        let names = permissions["roles"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return names.isEmpty ? "none" : names.joined(separator: ", ")
    }
}
