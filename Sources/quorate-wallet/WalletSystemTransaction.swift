import Foundation
import QuorateCore
import QuorateCrypto
import QuorateCLI
import QuorateRPC

extension WalletCommands {
    /// Signs a governance transaction (value 0, `data` the payload) to a system address with
    /// `key`, submits it and, unless `noWait`, waits for its receipt and prints it.
    /// Returns the receipt; nil with `noWait`, or when `settled` (asked while waiting) says the
    /// transaction (its hash given) is no longer needed.
    static func sendSystemTransaction(to address: Address, data: [UInt8], key: Secp256k1.PrivateKey, signer: WalletSigner,
                                      what: String, settled: ((String) throws -> Bool)? = nil) throws -> JSON? {
        let rpc = signer.rpc
        var tx = UnsignedTransaction(type: .dynamicFee, chainId: try rpc.chainId(), nonce: 0, gasLimit: 0,
                                     to: address, value: .zero, data: data)
        tx.gasLimit = intrinsicGas(tx)
        tx.nonce = try rpc.pendingNonce(Address(key.publicKey.ethereumAddress))
        try fillFees(&tx, rpc: rpc)
        let hash = try rpc.sendRaw(try tx.signed(with: key).raw)
        print("submitted \(hash): \(what)")
        if signer.noWait { return nil }
        guard let receipt = try rpc.waitForReceipt(hash, timeoutSeconds: 120, settled: settled.map { f in { try f(hash) } })
        else { return nil }
        printReceipt(receipt)
        return receipt
    }
}
