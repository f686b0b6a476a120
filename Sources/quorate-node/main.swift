import Foundation
import QuorateCLI
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
           [--validator-key FILE] [--node-key FILE] [--log-format text|json] [--log-level info]
           [--health-stall-seconds 30] [--health-lag-blocks 10] [--state-sync]
           [--state-retention-heights 128|N|all] [--block-retention-heights N]
           [--rpc-gascap 50000000] [--rpc-evmtimeout-ms 5000]
           [--txpool-max-transactions 200000] [--txpool-client-max-transactions 8192]
           [--proposal-build-ms-max N]
           run the node; the keys' password comes from --password-file, the QUORATE_PASSWORD
           environment variable, or a prompt. Without a node key (DIR/keys/node.json) there is no
           P2P network (a lone validator). --allow-peer admits a non-voting node's key.
           Serves /metrics, /health (?ready) and the explorer at /explorer beside JSON-RPC;
           logs one event per line (text or json; levels debug, info, warn, error); see docs/monitoring.md.
           --state-sync: on a store at genesis, take a peer's certified state instead of replaying.
           Pruning keeps 128 heights of state by default and every block; docs/operations.md.
           --txpool-client-max-transactions: past this many pooled, clients hear "txpool is full"
           (peers' transactions still fill the pool); docs/architecture.md.
           --proposal-build-ms-max: how long building a proposal may execute transactions (default:
           a quarter of the chain's timeoutProposeMs; 0: only the block limits); docs/architecture.md.
  export   --datadir DIR --out FILE [--from H] [--to H]
           write blocks with their commit certificates to an export file (node stopped; on a
           running node use the admin_exportBlocks RPC method); format in docs/operations.md
  import   --datadir DIR --in FILE
           verify and execute the blocks of an export file (node stopped); blocks already in the
           store are skipped, so importing the same file twice changes nothing
  backup   --rpc URL --token-file DATADIR/rpc.token --out DIR
           online backup of a running node into the new directory DIR (on the node's machine)
  restore  --from DIR --datadir DIR [--force]
           restore a backup; refuses to go back over a newer store or other keys without --force
  version

Passwords are never taken as command-line arguments.
"""

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else {
    print(usage)
    exit(2)
}

CommandExit.run(tool: "quorate-node", command: command) {
    var args = try CommandLineArguments(Array(arguments.dropFirst()), switchNames: ["non-voting", "help", "permissioning", "force", "state-sync"])
    switch command {
    case "keygen": try NodeCommands.keygen(&args)
    case "genesis": try NodeCommands.genesis(&args)
    case "init": try NodeCommands.initialize(&args)
    case "start": try NodeCommands.start(&args)
    case "export": try NodeCommands.export(&args)
    case "import": try NodeCommands.importBlocks(&args)
    case "backup": try NodeCommands.backup(&args)
    case "restore": try NodeCommands.restore(&args)
    case "version", "--version": print(NodeCommands.clientVersion)
    case "help", "--help", "-h": print(usage)
    default: CommandExit.unknownCommand(tool: "quorate-node", command: command, usage: usage)
    }
}
