import Foundation
import QuorateCLI

lineBufferStandardOutput()

let usage = """
usage: quorate-bench [options]

Measures committed transfers per second and submit-to-commit latency of a Quorate node. By
default it makes a fresh single-validator chain in a temporary folder, funds --accounts bench
accounts in its genesis, pre-signs every transfer, then submits them over JSON-RPC batches.
Progress goes to stderr once a second, the result table to stdout.

target:
  --mode single|testnet|sync   single (default): one validator;
                               testnet: the validators of tools/testnet, each sender's transfers
                                 sent to one of them (sender modulo nodes), every node measured;
                               sync: build a chain of --transfers N (default 1,000,000) on one
                                 validator, then time a fresh non-voting node catching up
  --workload transfers|erc20   transfers (default): plain transfers; erc20: the first account
                                 deploys an ERC-20 and grants tokens to the others, then every
                                 pre-signed transaction is a token transfer(next account, 1)
  --validators N               testnet: validators of the testnet the bench starts (default 4)
  --testnet-dir DIR            testnet: measure the tools/testnet running in DIR (funds the bench
                               accounts from its keystores) instead of starting one
  --testnet-tool PATH          tools/testnet to run (default: the repository's, found above the binary)
  --rpc URL                    use a running node instead of starting one
  --accounts-keystore DIR      with --rpc: funded keystore accounts to fund the bench accounts from
  --password-file FILE         the keystores' password
  --node-pid PID               with --rpc: the node's process, for CPU and memory figures
  --node-datadir DIR           with --rpc: the node's data folder, for disk growth
  --state-sync                 sync mode: the fresh node starts with --state-sync (time to serving)
  --node-bin PATH              quorate-node to start (default: beside quorate-bench)
  --workdir DIR                where to make the chain or testnet (default: a fresh temporary folder)
  --keep                       keep the chain (or testnet) and its folder after the run

load:
  --rate R | --max-rate        fixed rate in transfers/s (for latency), or maximum rate (default)
  --duration S                 how long to submit (default 60)
  --transactions N, --transfers N
                               submit exactly N transfers instead (the duration is ignored)
  --accounts N                 sending accounts (default 1000), derived from --seed TEXT
  --threads N                  client threads (default 4)
  --batch N                    most calls per JSON-RPC batch (default 1000)
  --window N                   most transfers in flight at maximum rate (default 50000)
  --presign-rate R             maximum-rate runs pre-sign duration * R transfers (default 30000)
  --poll-ms MS                 how often to poll for new blocks (default 2)
  --drain-timeout S            wait for the last transfers to commit (default 120)
  --stall-timeout S            no block (or a full pool) this long ends the run (default 30)

output and checks:
  --json-out FILE              write the result as JSON
  --verify                     check that every transfer committed exactly once and totals balance
  --quick                      the test suite's smoke tests: 3,000 transfers from 20 accounts,
                               verified (testnet: 400; sync: a chain of 2,000, heads compared)

Exit status: 0 when the run completed (and its checks passed), 1 when it could not, 2 for usage errors.
"""

let argv = Array(CommandLine.arguments.dropFirst())
if argv.contains("--help") || argv.contains("-h") {
    print(usage)
    exit(0)
}
let signalSources = Interruption.shared.install()
do {
    let options = try BenchOptions.parse(argv)
    Interruption.shared.exitUnlessInterrupted(try BenchCommand(options: options).run())
} catch let error as UsageError {
    note("quorate-bench: \(error)\n(see quorate-bench --help)")
    exit(2)
} catch {
    if !Interruption.shared.isInterrupted { note("quorate-bench: \(error)") }
    Interruption.shared.exitUnlessInterrupted(1)
}
