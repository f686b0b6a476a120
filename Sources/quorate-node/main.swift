import Foundation
import QuorateNode

lineBufferStandardOutput()

let usage = """
usage: quorate-node <command> [options]

commands:
  keygen   --datadir DIR [--password-file FILE]
           create the validator (consensus) key and the node (P2P) key, encrypted, in DIR/keys
  genesis  --chain-id N --validator ADDRESS[:NODEKEY] ... [--alloc ADDRESS=AMOUNT ...]
           [--block-interval-ms MS] [--heartbeat-ms MS] [--base-fee WEI] [--out FILE]
           write a genesis file (AMOUNT: 1000ether, 5gwei or wei)
  init     --genesis FILE --datadir DIR
           create the chain store of DIR from a genesis file
  start    --datadir DIR [--rpc-host 127.0.0.1] [--rpc-port 8545] [--password-file FILE] [--non-voting]
           run the node; the validator key's password comes from --password-file,
           the QUORATE_PASSWORD environment variable, or a prompt
  version

Passwords are never taken as command-line arguments.
"""

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else {
    print(usage)
    exit(2)
}

do {
    var args = try CommandLineArguments(Array(arguments.dropFirst()), switchNames: ["non-voting", "help"])
    switch command {
    case "keygen": try NodeCommands.keygen(&args)
    case "genesis": try NodeCommands.genesis(&args)
    case "init": try NodeCommands.initialize(&args)
    case "start": try NodeCommands.start(&args)
    case "version", "--version": print(NodeCommands.clientVersion)
    case "help", "--help", "-h": print(usage)
    default:
        FileHandle.standardError.write(Data("quorate-node: unknown command \(command)\n\n\(usage)\n".utf8))
        exit(2)
    }
} catch let error as CommandLineArguments.UsageError {
    FileHandle.standardError.write(Data("quorate-node \(command): \(error)\n".utf8))
    exit(2)
} catch {
    FileHandle.standardError.write(Data("quorate-node \(command): \(error)\n".utf8))
    exit(1)
}
