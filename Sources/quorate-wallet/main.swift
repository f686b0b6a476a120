import Foundation
import QuorateCLI

lineBufferStandardOutput()

let usage = """
usage: quorate-wallet <command> [options]

commands:
  new      [--keystore-dir DIR] [--password-file FILE] [--kdf scrypt|pbkdf2]
           create an account; its key is written encrypted (Web3 Secret Storage v3)
  import   (--key-file FILE | --keystore FILE) [--keystore-dir DIR] [--password-file FILE]
           add an existing key (hex in a file) or keystore (geth, eth-account, MetaMask export)
  list     [--keystore-dir DIR]
  balance  ADDRESS [--rpc URL]
  send     --from KEYSTORE|ADDRESS --to ADDRESS --value AMOUNT [--data HEX] [--nonce N] [--gas N]
           [--max-fee WEI] [--priority-fee WEI] [--rpc URL] [--password-file FILE] [--no-wait]
           sign an EIP-1559 transfer, submit it, wait for its block, print the receipt
  sign     --from KEYSTORE|ADDRESS --to ADDRESS --value AMOUNT --nonce N --chain-id N [--data HEX]
           [--gas N] [--max-fee WEI] [--priority-fee WEI] [--password-file FILE]
           sign offline; prints the raw transaction hex
  send     --from KEYSTORE|ADDRESS --to CONTRACT (--data HEX | --function SIG ARGS... [--abi FILE])
           [--value AMOUNT] [--gas N] [--rpc URL] [--password-file FILE] [--no-wait]
           a contract call in a transaction; gas estimated by the node; prints the receipt and logs
  deploy   --from KEYSTORE|ADDRESS --bytecode FILE [--args HEX] [--value AMOUNT] [--gas N] [--rpc URL]
           [--password-file FILE] [--no-wait]
           create a contract (FILE holds the hex bytecode; --args the ABI-encoded constructor arguments)
  call     --to CONTRACT (--data HEX | --function SIG ARGS... [--abi FILE]) [--from ADDRESS]
           [--block TAG] [--rpc URL]
           eth_call: prints the return data, decoded when --abi gives the function's outputs
           SIG is e.g. 'transfer(address,uint256)'; types address, bool, uintN, intN, bytesN,
           bytes, string and arrays T[] / T[k] of them (array arguments as [a,b,c])
  submit   RAW_HEX [--rpc URL] [--no-wait]
  tx       HASH [--rpc URL]
           a transaction and, once committed, its receipt
  role     grant|revoke ADDRESS ROLE[,ROLE] --from ADMIN_KEYSTORE|ADDRESS [--rpc URL] [--password-file FILE]
           [--no-wait]
           an admin grants or revokes account roles (admin, transact) on a chain with account
           permissioning; waits for the commit and prints the roles before and after
  validator propose-add ADDRESS NODE_KEY [--power N] | propose-remove ADDRESS | withdraw PROPOSAL_ID
           --from VALIDATOR_KEYSTORE [--rpc URL] [--password-file FILE] [--no-wait]
           a current validator votes to change the validator set; waits for the commit and prints
           the tally, or the new set when the vote passed it
  validator votes [--rpc URL]
           the pending proposals, their votes and the validator set of the next block
  node     add|remove NODE_KEY --from ADMIN_KEYSTORE [--rpc URL] [--password-file FILE] [--no-wait]
  node     list [--rpc URL]
           non-voting node keys allowed on-chain by admins (chains with account permissioning)

AMOUNT: 1.5ether, 20gwei, or wei. URL defaults to $QUORATE_RPC or http://127.0.0.1:8545;
DIR to $QUORATE_KEYSTORE or ~/.quorate/keystore. Passwords come from --password-file, the
QUORATE_PASSWORD environment variable, or a prompt; never from a command-line argument.
"""

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first, !["help", "--help", "-h"].contains(command) else {
    print(usage)
    exit(arguments.isEmpty ? 2 : 0)
}

CommandExit.run(tool: "quorate-wallet", command: command) {
    var args = try CommandLineArguments(Array(arguments.dropFirst()), switchNames: ["no-wait"])
    switch command {
    case "new": try WalletCommands.new(&args)
    case "import": try WalletCommands.importKey(&args)
    case "list": try WalletCommands.list(&args)
    case "balance": try WalletCommands.balance(&args)
    case "send": try WalletCommands.send(&args)
    case "sign": try WalletCommands.sign(&args)
    case "submit": try WalletCommands.submit(&args)
    case "tx": try WalletCommands.showTransaction(&args)
    case "deploy": try WalletCommands.deploy(&args)
    case "call": try WalletCommands.call(&args)
    case "role": try WalletCommands.role(&args)
    case "validator": try WalletCommands.validator(&args)
    case "node": try WalletCommands.node(&args)
    default: CommandExit.unknownCommand(tool: "quorate-wallet", command: command, usage: usage)
    }
}
