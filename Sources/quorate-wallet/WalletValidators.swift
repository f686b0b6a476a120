import Foundation
import QuorateCore
import QuorateCrypto
import QuorateCLI
import QuorateRPC

extension WalletCommands {
    static let validatorUsage = """
        usage: quorate-wallet validator propose-add ADDRESS NODE_KEY [--power N] --from VALIDATOR_KEYSTORE
               quorate-wallet validator propose-remove ADDRESS --from VALIDATOR_KEYSTORE
               quorate-wallet validator withdraw PROPOSAL_ID --from VALIDATOR_KEYSTORE
               quorate-wallet validator votes
        """

    /// `validator propose-add|propose-remove|withdraw|votes`: a current validator's vote on the
    /// validator set (docs/permissioning.md section 9), signed with its validator key; waits for
    /// the commit and prints the tally or the set the change produced.
    static func validator(_ args: inout CommandLineArguments) throws {
        let signer = try WalletSigner(&args)
        let rpc = signer.rpc
        let power = args.option("power")
        try args.refuseUnknown()
        guard let action = args.positional.first else { throw CommandLineArguments.UsageError(validatorUsage) }
        if action == "votes" {
            guard args.positional.count == 1 else { throw CommandLineArguments.UsageError(validatorUsage) }
            printVotes(try rpc.call("quorate_pendingVotes", ["latest"]))
            return
        }
        let command = try voteCommand(action, Array(args.positional.dropFirst()), power: power)
        let key = try signer.unlock("VALIDATOR_KEYSTORE", usage: validatorUsage)
        // A vote the others' votes made unnecessary (the change passed in a block before this
        // one got in) is dropped by the proposer and never gets a receipt: stop waiting then.
        let overtaken: (String) throws -> Bool = { hash in
            guard case .vote(let change) = command,
                  isInForce(change, try rpc.call("quorate_pendingVotes", ["latest"])["nextValidators"]) else { return false }
            return try rpc.call("eth_getTransactionByHash", [.string(hash)]).isNull
        }
        guard let receipt = try sendSystemTransaction(to: SystemAddress.validatorVotes, data: command.encoded(), key: key,
                                                      signer: signer, what: command.description, settled: overtaken)
        else {
            if !signer.noWait { print("in force    the change passed with the other validators' votes before this vote was included; nothing more to do") }
            return
        }
        let block = receipt["blockNumber"] ?? "latest"
        let after = try rpc.call("quorate_pendingVotes", [block])
        guard case .vote(let change) = command else {
            print("withdrawn   in block \(decimal(block)): the vote no longer counts")
            return
        }
        let id = change.id.description
        if let pending = after["proposals"]?.arrayValue?.first(where: { $0["id"]?.stringValue == id }) {
            print("votes       \(decimal(pending["votedPower"])) of \(decimal(pending["passingPower"])) voting power needed to pass; proposal \(id)")
        } else if isInForce(change, after["nextValidators"]) {
            let next = after["nextValidators"]
            print("passed      \(change): in force from block \(decimal(next?["height"]))")
            printSet(next)
        } else {
            print("dropped     the proposal is no longer pending and did not pass: a change earlier in block \(decimal(block)) made it impossible")
        }
    }

    /// Whether `set` (a validator set as the RPC shows it) already reflects `change`.
    static func isInForce(_ change: ValidatorChange, _ set: JSON?) -> Bool {
        let members = (set?["validators"]?.arrayValue ?? []).compactMap { $0["address"]?.stringValue?.lowercased() }
        switch change {
        case .add(let v): return members.contains(v.address.hex.lowercased())
        case .remove(let address): return !members.contains(address.hex.lowercased())
        }
    }

    private static func voteCommand(_ action: String, _ operands: [String], power: String?) throws -> ValidatorVoteCommand {
        func address(_ text: String) throws -> Address {
            guard let a = try? Address(hex: text) else { throw CommandLineArguments.UsageError("\(text) is not an address\n\(validatorUsage)") }
            return a
        }
        switch (action, operands.count) {
        case ("propose-add", 2):
            guard let nodeKey = try? Hex.decode(operands[1]), nodeKey.count == 33,
                  (try? Secp256k1.PublicKey(bytes: nodeKey)) != nil else {
                throw CommandLineArguments.UsageError("\(operands[1]) is not a 33-byte compressed node key (as `quorate-node keygen` prints it)")
            }
            guard let p = UInt64(power ?? "1"), p >= 1, p <= ValidatorChange.maxPower else {
                throw CommandLineArguments.UsageError("--power must be a whole number from 1 to \(ValidatorChange.maxPower)")
            }
            return .vote(.add(Validator(address: try address(operands[0]), nodeKey: nodeKey, power: p)))
        case ("propose-remove", 1):
            guard power == nil else { throw CommandLineArguments.UsageError("--power applies to propose-add only") }
            return .vote(.remove(try address(operands[0])))
        case ("withdraw", 1):
            guard let id = try? Hex.decode(operands[0]), id.count == 32 else {
                throw CommandLineArguments.UsageError("\(operands[0]) is not a proposal id (32 bytes hex, from `quorate-wallet validator votes`)")
            }
            return .withdraw(Hash32(id))
        default:
            throw CommandLineArguments.UsageError(validatorUsage)
        }
    }

    static func printVotes(_ votes: JSON) {
        let proposals = votes["proposals"]?.arrayValue ?? []
        print("block       \(decimal(votes["blockNumber"]))")
        printSet(votes["nextValidators"])
        if proposals.isEmpty { print("no pending proposals") }
        for p in proposals {
            print("proposal    \(p["id"]?.stringValue ?? "?"): \(p["description"]?.stringValue ?? "?")")
            print("  power     \(decimal(p["votedPower"])) voted, \(decimal(p["passingPower"])) passes")
            for v in p["votes"]?.arrayValue ?? [] {
                print("  vote      \(v["validator"]?.stringValue ?? "?") in block \(decimal(v["blockNumber"])), expires \(isoTime(v["expiresAtMs"]))")
            }
        }
    }

    /// A hex quantity of milliseconds since the epoch, as an ISO 8601 UTC time.
    private static func isoTime(_ ms: JSON?) -> String {
        guard let text = ms?.stringValue, let value = UInt64(text.dropFirst(2), radix: 16) else { return "?" }
        return ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(value) / 1000))
    }

    private static func printSet(_ set: JSON?) {
        let members = set?["validators"]?.arrayValue ?? []
        print("validators  \(members.count) from block \(decimal(set?["height"])):")
        for v in members {
            print("  \(v["address"]?.stringValue ?? "?")  node key \(v["nodeKey"]?.stringValue ?? "?")  power \(decimal(v["power"]))")
        }
    }

    /// `node add|remove NODE_KEY --from ADMIN` and `node list`: non-voting node keys allowed
    /// on-chain (chains with account permissioning).
    static func node(_ args: inout CommandLineArguments) throws {
        let signer = try WalletSigner(&args)
        let rpc = signer.rpc
        try args.refuseUnknown()
        let usage = "usage: quorate-wallet node add|remove NODE_KEY --from ADMIN_KEYSTORE | quorate-wallet node list"
        if args.positional == ["list"] {
            let keys = try rpc.call("quorate_nodeKeys", ["latest"])["nodeKeys"]?.arrayValue ?? []
            print(keys.isEmpty ? "no node keys allowed on-chain" : keys.compactMap(\.stringValue).joined(separator: "\n"))
            return
        }
        guard args.positional.count == 2, let op = ["add": NodeKeyCommand.Operation.add, "remove": .remove][args.positional[0]] else {
            throw CommandLineArguments.UsageError(usage)
        }
        guard let nodeKey = try? Hex.decode(args.positional[1]), nodeKey.count == 33 else {
            throw CommandLineArguments.UsageError("\(args.positional[1]) is not a 33-byte compressed node key")
        }
        let command = try NodeKeyCommand(decoding: NodeKeyCommand(op, nodeKey).encoded())
        guard try rpc.call("quorate_getPermissions", [.string(SystemAddress.nodes.hex)])["accountPermissioning"]?.boolValue == true else {
            throw WalletError("this chain has account permissioning off: there are no admins and 0x…0003 is an ordinary address; allow non-voting nodes with --allow-peer or admin_addPeer instead")
        }
        let key = try signer.unlock("ADMIN_KEYSTORE", usage: usage)
        guard let receipt = try sendSystemTransaction(to: SystemAddress.nodes, data: command.encoded(), key: key,
                                                      signer: signer, what: command.description) else { return }
        let after = try rpc.call("quorate_nodeKeys", [receipt["blockNumber"] ?? "latest"])["nodeKeys"]?.arrayValue ?? []
        print("node keys   \(after.count) allowed on-chain after block \(decimal(receipt["blockNumber"]))")
    }
}
