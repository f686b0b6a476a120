import Foundation
import QuorateCore
import QuorateCrypto
import QuorateCLI
import QuorateRPC

/// The wallet's view of a node: typed wrappers over the JSON-RPC calls it makes.
struct WalletRPC {
    let client: RPCClient
    let url: String

    init(_ args: inout CommandLineArguments) throws {
        url = args.option("rpc") ?? ProcessInfo.processInfo.environment["QUORATE_RPC"] ?? "http://127.0.0.1:8545"
        client = try RPCClient(url: url)
    }

    func call(_ method: String, _ params: [JSON]) throws -> JSON {
        try client.call(method, params)
    }

    func quantity(_ method: String, _ params: [JSON]) throws -> UInt256 {
        let result = try call(method, params)
        guard let text = result.stringValue, let value = UInt256(hexQuantity: text) else {
            throw WalletError("\(method) returned \(result), not a hex quantity")
        }
        return value
    }

    func chainId() throws -> UInt64 {
        guard let v = try quantity("eth_chainId", []).uint64 else { throw WalletError("chain id does not fit 64 bits") }
        return v
    }

    func pendingNonce(_ address: Address) throws -> UInt64 {
        guard let v = try quantity("eth_getTransactionCount", [.string(address.hex), "pending"]).uint64 else {
            throw WalletError("nonce does not fit 64 bits")
        }
        return v
    }

    func balance(_ address: Address) throws -> UInt256 {
        try quantity("eth_getBalance", [.string(address.hex), "latest"])
    }

    func sendRaw(_ raw: [UInt8]) throws -> String {
        let result = try call("eth_sendRawTransaction", [.string(Hex.encode(raw, prefix: true))])
        guard let hash = result.stringValue else { throw WalletError("eth_sendRawTransaction returned \(result)") }
        return hash
    }

    /// Polls for the receipt until it exists or `timeoutSeconds` pass.
    func waitForReceipt(_ hash: String, timeoutSeconds: Double) throws -> JSON {
        // Without `settled` the wait only ends with a receipt or an error.
        try waitForReceipt(hash, timeoutSeconds: timeoutSeconds, settled: nil)!
    }

    /// As above; `settled`, asked at each
    /// poll, may end the wait early without a receipt (returns nil) when it sees that the
    /// transaction is no longer needed.
    func waitForReceipt(_ hash: String, timeoutSeconds: Double, settled: (() throws -> Bool)? = nil) throws -> JSON? {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        var delayMs: UInt32 = 20
        while true {
            let receipt = try call("eth_getTransactionReceipt", [.string(hash)])
            if !receipt.isNull { return receipt }
            if let settled, try settled() { return nil }
            guard Date() < deadline else {
                throw WalletError("transaction \(hash) was submitted but not committed within \(Int(timeoutSeconds)) s; check later with `quorate-wallet tx \(hash)`")
            }
            usleep(delayMs * 1000)
            delayMs = min(delayMs * 2, 500)
        }
    }
}
