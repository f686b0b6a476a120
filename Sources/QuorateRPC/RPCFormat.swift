import QuorateCore
import QuorateCrypto

/// Blocks, transactions and receipts as geth writes them in JSON-RPC answers.
enum RPCFormat {
    /// keccak256(rlp([])): the uncle hash of a block without uncles, which clients expect.
    static let emptyUnclesHash = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347"
    static let emptyBloom = JSON.data([UInt8](repeating: 0, count: 256))

    static func address(_ a: Address) -> JSON { .data(a.bytes) }
    static func hash(_ h: Hash32) -> JSON { .data(h.bytes) }
    static func quantity(_ v: UInt256) -> JSON { .string(v.hexQuantity) }

    static func transaction(_ tx: Transaction, sender: Address?, block: Block?, index: Int?, receipt: Receipt?) -> JSON {
        var o: [(key: String, value: JSON)] = [
            ("blockHash", block.map { hash($0.hash) } ?? .null),
            ("blockNumber", block.map { .quantity($0.height) } ?? .null),
            ("from", sender.map(address) ?? .null),
            ("gas", .quantity(tx.gasLimit)),
            // Mined: the price actually paid; pending: the most it may pay (geth's convention).
            ("gasPrice", quantity(receipt?.effectiveGasPrice ?? tx.maxFeePerGas)),
        ]
        if tx.type == .dynamicFee {
            o.append(("maxFeePerGas", quantity(tx.maxFeePerGas)))
            o.append(("maxPriorityFeePerGas", quantity(tx.maxPriorityFeePerGas)))
        }
        o += [
            ("hash", hash(tx.hash)),
            ("input", .data(tx.data)),
            ("nonce", .quantity(tx.nonce)),
            ("to", tx.to.map(address) ?? .null),
            ("transactionIndex", index.map { .quantity(UInt64($0)) } ?? .null),
            ("value", quantity(tx.value)),
            ("type", .quantity(UInt64(tx.type.rawValue))),
        ]
        if tx.type != .legacy {
            o.append(("accessList", .array(tx.accessList.map {
                ["address": address($0.address), "storageKeys": .array($0.storageKeys.map(hash))]
            })))
        }
        if let chainId = tx.chainId { o.append(("chainId", .quantity(chainId))) }
        o.append(("v", quantity(tx.v)))
        o.append(("r", quantity(tx.r)))
        o.append(("s", quantity(tx.s)))
        if tx.type != .legacy { o.append(("yParity", quantity(tx.v))) }
        return .object(o)
    }

    /// `firstLogIndex`: how many logs the block's earlier transactions emitted.
    static func receipt(_ r: Receipt, block: Block, index: Int, firstLogIndex: UInt64 = 0) -> JSON {
        let logs: [JSON] = r.logs.enumerated().map { i, log in
            LogReader.format(log, block: block, txIndex: index, txHash: r.transactionHash, logIndex: firstLogIndex + UInt64(i))
        }
        return [
            "transactionHash": hash(r.transactionHash),
            "transactionIndex": .quantity(UInt64(index)),
            "blockHash": hash(block.hash),
            "blockNumber": .quantity(block.height),
            "from": address(r.from),
            "to": r.to.map(address) ?? .null,
            "cumulativeGasUsed": .quantity(r.cumulativeGasUsed),
            "gasUsed": .quantity(r.gasUsed),
            "effectiveGasPrice": quantity(r.effectiveGasPrice),
            "contractAddress": r.contractAddress.map(address) ?? .null,
            "logs": .array(logs),
            "logsBloom": .data(r.bloom.bytes),
            "status": .quantity(UInt64(r.status)),
            "type": .quantity(UInt64(r.type.rawValue)),
        ]
    }

    static func block(_ block: Block, full: Bool, receipts: [Receipt]) -> JSON {
        let h = block.header
        let transactions: [JSON] = block.transactions.enumerated().map { i, tx in
            full ? transaction(tx, sender: receipts[safe: i]?.from, block: block, index: i, receipt: receipts[safe: i])
                 : hash(tx.hash)
        }
        return [
            "number": .quantity(h.height),
            "hash": hash(block.hash),
            "parentHash": hash(h.parentHash),
            "nonce": .data([UInt8](repeating: 0, count: 8)),
            "sha3Uncles": .string(emptyUnclesHash),
            "logsBloom": .data(h.logsBloom.bytes),
            "transactionsRoot": hash(h.transactionsRoot),
            "stateRoot": hash(h.stateRoot),
            "receiptsRoot": hash(h.receiptsRoot),
            "miner": address(h.proposer),
            "difficulty": .quantity(0),
            "totalDifficulty": .quantity(0),
            "extraData": .data([]),
            "size": .quantity(UInt64(block.encoded().count)),
            "gasLimit": .quantity(h.gasLimit),
            "gasUsed": .quantity(h.gasUsed),
            // Ethereum clients read seconds; the header keeps milliseconds.
            "timestamp": .quantity(h.timestampMs / 1000),
            "mixHash": hash(.zero),
            "baseFeePerGas": quantity(h.baseFeePerGas),
            "transactions": .array(transactions),
            "uncles": [],
            "timestampMs": .quantity(h.timestampMs),
            "validatorsHash": hash(h.validatorsHash),
            "nextValidatorsHash": hash(h.nextValidatorsHash),
            "lastCommitHash": hash(h.lastCommitHash),
        ]
    }

    static func certificate(_ c: CommitCertificate) -> JSON {
        [
            "height": .quantity(c.height),
            "round": .quantity(UInt64(c.round)),
            "blockHash": hash(c.blockHash),
            "signatures": .array(c.signatures.map {
                ["validator": address($0.validator), "signature": .data($0.signature.compact65)]
            }),
        ]
    }

    static func validators(_ set: ValidatorSet, height: UInt64) -> JSON {
        [
            "height": .quantity(height),
            "hash": hash(set.hash),
            "totalPower": .quantity(set.totalPower),
            "quorumPower": .quantity(set.quorumPower),
            "validators": .array(set.validators.map {
                ["address": address($0.address), "nodeKey": .data($0.nodeKey), "power": .quantity($0.power)]
            }),
        ]
    }
}
