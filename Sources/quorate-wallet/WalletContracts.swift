import Foundation
import QuorateCore
import QuorateCrypto
import QuorateCLI
import QuorateRPC

/// `deploy`, `call`, and what `send` needs for contracts: calldata from `--data HEX` or from
/// `--function 'name(types)' ARGS...` (with `--abi FILE` to decode results), gas estimated by
/// the node, the receipt printed with its logs.
extension WalletCommands {
    static func deploy(_ args: inout CommandLineArguments) throws {
        let signer = try WalletSigner(&args)
        let rpc = signer.rpc
        let usage = "usage: quorate-wallet deploy --from KEYSTORE --bytecode FILE [--args HEX] [--value AMOUNT] [--gas N]"
        let file = try args.required("bytecode", "FILE")
        let text = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        var data = try Hex.decode(text.hasPrefix("0x") ? text : "0x" + text)
        if let constructorArgs = args.option("args") { data += try Hex.decode(constructorArgs) }
        let value = try args.option("value").map(AmountParser.wei) ?? .zero
        let gas = try args.option("gas").map { try gasValue($0) }
        try args.refuseUnknown()
        let key = try signer.unlock("KEYSTORE|ADDRESS", usage: usage)
        var tx = UnsignedTransaction(type: .dynamicFee, chainId: try rpc.chainId(), nonce: 0, gasLimit: 0, to: nil, value: value, data: data)
        try signAndSend(&tx, gas: gas, key: key, signer: signer)
    }

    /// `send` to a contract: `--data HEX` or `--function SIG ARGS...`, value 0 unless given.
    static func sendCall(_ args: inout CommandLineArguments, signer: WalletSigner) throws {
        let to = try Address(hex: try args.required("to", "ADDRESS"))
        let (data, _) = try calldata(&args)
        let value = try args.option("value").map(AmountParser.wei) ?? .zero
        let gas = try args.option("gas").map { try gasValue($0) }
        var tx = UnsignedTransaction(type: .dynamicFee, chainId: try signer.rpc.chainId(), nonce: 0, gasLimit: 0, to: to, value: value, data: data)
        if let fee = args.option("max-fee") { tx.maxFeePerGas = try AmountParser.wei(fee) }
        if let tip = args.option("priority-fee") { tx.maxPriorityFeePerGas = try AmountParser.wei(tip) }
        try args.refuseUnknown()
        let key = try signer.unlock("KEYSTORE|ADDRESS", usage: "usage: quorate-wallet send --from KEYSTORE --to ADDRESS (--data HEX | --function SIG ARGS...)")
        try signAndSend(&tx, gas: gas, key: key, signer: signer)
    }

    static func call(_ args: inout CommandLineArguments) throws {
        let rpc = try WalletRPC(&args)
        let to = try args.required("to", "ADDRESS")
        let from = args.option("from")
        let keys = WalletKeys(&args)
        let block = args.option("block") ?? "latest"
        let (data, outputs) = try calldata(&args)
        let value = try args.option("value").map(AmountParser.wei)
        try args.refuseUnknown()
        var request: [(key: String, value: JSON)] = [("to", .string(to)), ("data", .string(Hex.encode(data, prefix: true)))]
        if let from { request.append(("from", .string(try keys.resolveAddress(from)))) }
        if let value { request.append(("value", .string(value.hexQuantity))) }
        let result = try rpc.call("eth_call", [.object(request), .string(block)])
        guard let hex = result.stringValue else { throw WalletError("eth_call returned \(result)") }
        print("result      \(hex)")
        if let outputs, !outputs.isEmpty {
            for (i, line) in ABI.decode(outputs, try Hex.decode(hex)).enumerated() { print("output \(i)    \(line)") }
        }
    }

    /// `--data HEX`, or `--function SIG ARGS...` (positional arguments), with the output types
    /// when `--abi FILE` names the function's outputs.
    static func calldata(_ args: inout CommandLineArguments) throws -> (data: [UInt8], outputs: [ABIType]?) {
        let abiFile = args.option("abi")
        if let signature = args.option("function") {
            let (name, types) = try ABI.parseSignature(signature)
            let canonical = name + "(" + signature.drop { $0 != "(" }.dropFirst().dropLast()
                .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ",") + ")"
            let data = ABI.selector(canonical) + (try ABI.encode(types, args.positional))
            return (data, try abiFile.map { try outputTypes(file: $0, name: name, inputs: types.count) })
        }
        guard args.positional.isEmpty else { throw CommandLineArguments.UsageError("unexpected arguments \(args.positional) (arguments follow --function SIG)") }
        return (try args.option("data").map { try Hex.decode($0) } ?? [], nil)
    }

    private static func outputTypes(file: String, name: String, inputs: Int) throws -> [ABIType] {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        let json = try JSONParser.parse(bytes)
        guard let entries = json.arrayValue ?? json["abi"]?.arrayValue else { throw WalletError("\(file) holds no ABI array") }
        for entry in entries where entry["type"]?.stringValue == "function" && entry["name"]?.stringValue == name
            && (entry["inputs"]?.arrayValue?.count ?? 0) == inputs {
            return try (entry["outputs"]?.arrayValue ?? []).map { output in
                guard let type = output["type"]?.stringValue else { throw WalletError("\(file): an output without a type") }
                return try ABIType(parsing: Substring(type))
            }
        }
        throw WalletError("\(file) has no function \(name) with \(inputs) input(s)")
    }

    static func gasValue(_ text: String) throws -> UInt64 {
        guard let v = UInt64(text) else { throw CommandLineArguments.UsageError("--gas must be a non-negative integer") }
        return v
    }

    /// Fills nonce, fees and (unless given) the gas the node estimates, signs, submits and
    /// waits for the receipt, which it prints with its logs.
    @discardableResult
    static func signAndSend(_ tx: inout UnsignedTransaction, gas: UInt64?, key: Secp256k1.PrivateKey, signer: WalletSigner) throws -> JSON? {
        let rpc = signer.rpc
        let from = Address(key.publicKey.ethereumAddress)
        tx.nonce = try rpc.pendingNonce(from)
        try fillFees(&tx, rpc: rpc)
        if let gas { tx.gasLimit = gas } else { tx.gasLimit = try estimate(tx, from: from, rpc: rpc) }
        let hash = try rpc.sendRaw(try tx.signed(with: key).raw)
        print("submitted \(hash)")
        if signer.noWait { return nil }
        let receipt = try rpc.waitForReceipt(hash, timeoutSeconds: 120)
        printReceipt(receipt)
        return receipt
    }

    static func estimate(_ tx: UnsignedTransaction, from: Address, rpc: WalletRPC) throws -> UInt64 {
        var request: [(key: String, value: JSON)] = [("from", .string(from.hex)), ("value", .string(tx.value.hexQuantity)),
                                                     ("data", .string(Hex.encode(tx.data, prefix: true)))]
        if let to = tx.to { request.append(("to", .string(to.hex))) }
        guard let gas = try rpc.quantity("eth_estimateGas", [.object(request)]).uint64 else { throw WalletError("gas estimate over 64 bits") }
        return gas
    }

    /// Logs of a receipt, one block per log.
    static func printLogs(_ receipt: JSON) {
        guard let logs = receipt["logs"]?.arrayValue, !logs.isEmpty else { return }
        for (i, log) in logs.enumerated() {
            print("log \(i)       \(log["address"]?.stringValue ?? "?")")
            for topic in log["topics"]?.arrayValue ?? [] { print("  topic     \(topic.stringValue ?? "?")") }
            print("  data      \(log["data"]?.stringValue ?? "0x")")
        }
    }
}

extension WalletKeys {
    /// An address, or the address of a keystore in the keystore folder.
    func resolveAddress(_ text: String) throws -> String {
        if let address = try? Address(hex: text) { return address.hex }
        let path = try resolve(text)
        guard let data = FileManager.default.contents(atPath: path), let hex = Keystore.address(json: Array(data)),
              let address = try? Address(hex: hex) else { throw WalletError("\(path) is not a keystore") }
        return address.hex
    }
}
