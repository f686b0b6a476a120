import Foundation
import QuorateCore
import QuorateCrypto
import QuorateCLI
import QuorateRPC

enum WalletCommands {
    static func new(_ args: inout CommandLineArguments) throws {
        let keys = WalletKeys(&args)
        let passwordFile = args.option("password-file")
        let kdf = try kdfChoice(args.option("kdf"))
        try args.refuseUnknown()
        let password = try PasswordSource.read(file: passwordFile, prompt: "Password for the new account: ", confirm: true)
        let (address, path) = try keys.store(Secp256k1.PrivateKey.generate(), password: password, kdf: kdf)
        print("address:  \(address.checksummed)")
        print("keystore: \(path)")
    }

    static func importKey(_ args: inout CommandLineArguments) throws {
        let keys = WalletKeys(&args)
        let keyFile = args.option("key-file")
        let keystoreFile = args.option("keystore")
        let passwordFile = args.option("password-file")
        let kdf = try kdfChoice(args.option("kdf"))
        try args.refuseUnknown()
        guard (keyFile == nil) != (keystoreFile == nil) else {
            throw CommandLineArguments.UsageError("give exactly one of --key-file FILE (a hex private key) or --keystore FILE")
        }
        let key: Secp256k1.PrivateKey
        let password: [UInt8]
        if let keyFile {
            guard let data = FileManager.default.contents(atPath: keyFile), data.count <= 256 else {
                throw WalletError("cannot read the key file \(keyFile)")
            }
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            key = try Secp256k1.PrivateKey(bytes: try Hex.decode(text))
            password = try PasswordSource.read(file: passwordFile, prompt: "Password to encrypt the key: ", confirm: true)
        } else {
            password = try PasswordSource.read(file: passwordFile, prompt: "Password of the keystore: ")
            key = try KeyFiles.read(keystoreFile!, password: password)
        }
        let (address, path) = try keys.store(key, password: password, kdf: kdf)
        print("imported: \(address.checksummed)")
        print("keystore: \(path)")
    }

    static func list(_ args: inout CommandLineArguments) throws {
        let keys = WalletKeys(&args)
        try args.refuseUnknown()
        for (address, path) in try keys.entries() { print("\(address.checksummed)  \(path)") }
    }

    static func balance(_ args: inout CommandLineArguments) throws {
        let rpc = try WalletRPC(&args)
        try args.refuseUnknown()
        guard args.positional.count == 1, let address = try? Address(hex: args.positional[0]) else {
            throw CommandLineArguments.UsageError("usage: quorate-wallet balance ADDRESS")
        }
        let wei = try rpc.balance(address)
        print("\(AmountParser.formatEther(wei)) ether (\(wei) wei)")
    }

    static func send(_ args: inout CommandLineArguments) throws {
        let signer = try WalletSigner(&args)
        let rpc = signer.rpc
        if args.option("function") != nil || args.option("value") == nil {
            return try sendCall(&args, signer: signer)
        }
        var unsigned = try transferFields(&args)
        let nonce = args.option("nonce")
        try args.refuseUnknown()
        let key = try signer.unlock("KEYSTORE|ADDRESS", usage: "usage: quorate-wallet send --from KEYSTORE|ADDRESS --to ADDRESS --value AMOUNT")
        unsigned.chainId = try rpc.chainId()
        unsigned.nonce = try nonce.map { try uint64($0, "nonce") } ?? rpc.pendingNonce(Address(key.publicKey.ethereumAddress))
        try fillFees(&unsigned, rpc: rpc)
        let tx = try unsigned.signed(with: key)
        let hash = try rpc.sendRaw(tx.raw)
        print("submitted \(hash)")
        if signer.noWait { return }
        printReceipt(try rpc.waitForReceipt(hash, timeoutSeconds: 120))
    }

    static func sign(_ args: inout CommandLineArguments) throws {
        let keys = WalletKeys(&args)
        let from = try args.required("from", "KEYSTORE|ADDRESS")
        let passwordFile = args.option("password-file")
        var unsigned = try transferFields(&args)
        unsigned.nonce = try uint64(try args.required("nonce", "N"), "nonce")
        unsigned.chainId = try uint64(try args.required("chain-id", "N"), "chain-id")
        try args.refuseUnknown()
        let key = try WalletKeys.unlock(try keys.resolve(from), passwordFile: passwordFile)
        print(Hex.encode(try unsigned.signed(with: key).raw, prefix: true))
    }

    static func submit(_ args: inout CommandLineArguments) throws {
        let rpc = try WalletRPC(&args)
        let noWait = args.flag("no-wait")
        try args.refuseUnknown()
        guard args.positional.count == 1 else { throw CommandLineArguments.UsageError("usage: quorate-wallet submit RAW_HEX") }
        let raw = try Hex.decode(args.positional[0])
        let hash = try rpc.sendRaw(raw)
        print("submitted \(hash)")
        if noWait { return }
        printReceipt(try rpc.waitForReceipt(hash, timeoutSeconds: 120))
    }

    static func showTransaction(_ args: inout CommandLineArguments) throws {
        let rpc = try WalletRPC(&args)
        try args.refuseUnknown()
        guard args.positional.count == 1 else { throw CommandLineArguments.UsageError("usage: quorate-wallet tx HASH") }
        let hash = args.positional[0]
        let tx = try rpc.call("eth_getTransactionByHash", [.string(hash)])
        guard !tx.isNull else { throw WalletError("transaction \(hash) is not known to the node") }
        print("transaction \(hash)")
        print("from        \(tx["from"]?.stringValue ?? "?")")
        print("to          \(tx["to"]?.stringValue ?? "?")")
        print("value       \(ether(tx["value"])) ether")
        print("nonce       \(decimal(tx["nonce"]))")
        let receipt = try rpc.call("eth_getTransactionReceipt", [.string(hash)])
        if receipt.isNull {
            print("status      pending (not yet in a committed block)")
        } else {
            printReceipt(receipt, header: false)
        }
    }

    // MARK: helpers

    private static func transferFields(_ args: inout CommandLineArguments) throws -> UnsignedTransaction {
        let to = try Address(hex: try args.required("to", "ADDRESS"))
        let value = try AmountParser.wei(try args.required("value", "AMOUNT"))
        let data = try args.option("data").map { try Hex.decode($0) } ?? []
        var tx = UnsignedTransaction(type: .dynamicFee, chainId: nil, nonce: 0, gasLimit: 0, to: to, value: value, data: data)
        tx.gasLimit = try args.option("gas").map { try uint64($0, "gas") } ?? 0
        if let fee = args.option("max-fee") { tx.maxFeePerGas = try AmountParser.wei(fee) }
        if let tip = args.option("priority-fee") { tx.maxPriorityFeePerGas = try AmountParser.wei(tip) }
        if tx.gasLimit == 0 { tx.gasLimit = intrinsicGas(tx) }
        return tx
    }

    static func intrinsicGas(_ tx: UnsignedTransaction) -> UInt64 {
        21_000 + tx.data.reduce(UInt64(0)) { $0 + ($1 == 0 ? 4 : 16) }
    }

    /// Fees the node suggests, unless given: tip from eth_maxPriorityFeePerGas, cap = 2 * base fee + tip.
    static func fillFees(_ tx: inout UnsignedTransaction, rpc: WalletRPC) throws {
        if tx.maxPriorityFeePerGas == .zero { tx.maxPriorityFeePerGas = try rpc.quantity("eth_maxPriorityFeePerGas", []) }
        if tx.maxFeePerGas == .zero {
            let block = try rpc.call("eth_getBlockByNumber", ["latest", false])
            let base = block["baseFeePerGas"]?.stringValue.flatMap { UInt256(hexQuantity: $0) } ?? .zero
            tx.maxFeePerGas = base * UInt256(2) + tx.maxPriorityFeePerGas
        }
    }

    static func printReceipt(_ receipt: JSON, header: Bool = true) {
        if header { print("transaction \(receipt["transactionHash"]?.stringValue ?? "?")") }
        print("status      \(receipt["status"]?.stringValue == "0x1" ? "success" : "failed")")
        print("block       \(decimal(receipt["blockNumber"])) (\(receipt["blockHash"]?.stringValue ?? "?"))")
        if header {
            print("from        \(receipt["from"]?.stringValue ?? "?")")
            print("to          \(receipt["to"]?.stringValue ?? "?")")
        }
        print("gas used    \(decimal(receipt["gasUsed"]))")
        let gas = receipt["gasUsed"]?.stringValue.flatMap { UInt256(hexQuantity: $0) } ?? .zero
        let price = receipt["effectiveGasPrice"]?.stringValue.flatMap { UInt256(hexQuantity: $0) } ?? .zero
        print("fee         \(AmountParser.formatEther(gas * price)) ether")
        if let contract = receipt["contractAddress"]?.stringValue { print("contract    \(contract)") }
        printLogs(receipt)
    }

    static func decimal(_ value: JSON?) -> String {
        value?.stringValue.flatMap { UInt256(hexQuantity: $0) }?.description ?? "?"
    }

    private static func ether(_ value: JSON?) -> String {
        value?.stringValue.flatMap { UInt256(hexQuantity: $0) }.map(AmountParser.formatEther) ?? "?"
    }

    private static func uint64(_ text: String, _ name: String) throws -> UInt64 {
        guard let v = UInt64(text) ?? UInt256(hexQuantity: text)?.uint64 else {
            throw CommandLineArguments.UsageError("--\(name) must be a non-negative integer")
        }
        return v
    }

    private static func kdfChoice(_ name: String?) throws -> Keystore.KDFChoice {
        switch name {
        case nil, "scrypt": return .standard
        case "pbkdf2": return .pbkdf2(iterations: 262_144)
        default: throw CommandLineArguments.UsageError("--kdf must be scrypt or pbkdf2")
        }
    }
}
