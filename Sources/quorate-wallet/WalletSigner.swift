import QuorateCore
import QuorateCrypto
import QuorateCLI

/// The options of a command that signs and submits: the keystore folder, the node, `--from`,
/// `--password-file` and `--no-wait`. Read together so every such command spells them alike.
struct WalletSigner {
    let keys: WalletKeys
    let rpc: WalletRPC
    let from: String?
    let passwordFile: String?
    let noWait: Bool

    init(_ args: inout CommandLineArguments) throws {
        keys = WalletKeys(&args)
        rpc = try WalletRPC(&args)
        from = args.option("from")
        passwordFile = args.option("password-file")
        noWait = args.flag("no-wait")
    }

    /// The `--from` key, decrypted; `who` names the key in the message when `--from` is missing.
    func unlock(_ who: String, usage: String) throws -> Secp256k1.PrivateKey {
        guard let from else { throw CommandLineArguments.UsageError("missing --from \(who)\n\(usage)") }
        return try WalletKeys.unlock(try keys.resolve(from), passwordFile: passwordFile)
    }
}
