import Foundation
import QuorateNode

lineBufferStandardOutput()

let usage = """
usage: quorate-node <command> [options]

commands:
  keygen   --datadir DIR [--password-file FILE]
           create the validator (consensus) key and the node (P2P) key, encrypted, in DIR/keys
  genesis  --chain-id N --validator ADDRESS[:NODEKEY] ... [--alloc ADDRESS=AMOUNT ...]
           [--block-interval-ms MS] [--heartbeat-ms MS] [--base-fee WEI]
           [--permissioning --role ADDRESS=ROLE[,ROLE] ...] [--out FILE]
           write a genesis file (AMOUNT: 1000ether, 5gwei or wei); --permissioning turns account
           permissioning on (roles: admin, transact; at least one admin), see docs/permissioning.md
  init     --genesis FILE --datadir DIR
           create the chain store of DIR from a genesis file
  start    --datadir DIR [--rpc-host 127.0.0.1] [--rpc-port 8545] [--password-file FILE] [--non-voting]
           [--p2p-host 0.0.0.0] [--p2p-port 30333] [--peer PUBKEY@HOST:PORT ...] [--allow-peer PUBKEY ...]
           [--validator-key FILE] [--node-key FILE] [--rpc-gascap 50000000] [--rpc-evmtimeout-ms 5000]
           run the node; the keys' password comes from --password-file, the QUORATE_PASSWORD
           environment variable, or a prompt. Without a node key (DIR/keys/node.json) there is no
           P2P network (a lone validator). --allow-peer admits a non-voting node's key.
  version

Passwords are never taken as command-line arguments.
"""

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else {
    print(usage)
    exit(2)
}

CommandExit.run(tool: "quorate-node", command: command) {
    var args = try CommandLineArguments(Array(arguments.dropFirst()), switchNames: ["non-voting", "help", "permissioning"])
    switch command {
    case "keygen": try NodeCommands.keygen(&args)
    case "genesis": try NodeCommands.genesis(&args)
    case "init": try NodeCommands.initialize(&args)
    case "start": try NodeCommands.start(&args)
    case "version", "--version": print(NodeCommands.clientVersion)
    case "help", "--help", "-h": print(usage)
    default: CommandExit.unknownCommand(tool: "quorate-node", command: command, usage: usage)
    }
}
