import Foundation

lineBufferStandardOutput()

let usage = """
usage: quorate-bench [options]

Measures committed transfers per second and submit-to-commit latency of a Quorate node. By
default it makes a fresh single-validator chain in a temporary folder, funds --accounts bench
accounts in its genesis, pre-signs every transfer, then submits them over JSON-RPC batches.
Progress goes to stderr once a second, the result table to stdout.

target:
  --mode single|testnet|sync   single (default); testnet and sync are not wired in yet (issue 4):
                               measure a tools/testnet node with --rpc and --accounts-keystore
  --rpc URL                    use a running node instead of starting one
  --accounts-keystore DIR      with --rpc: funded keystore accounts to fund the bench accounts from
  --password-file FILE         the keystores' password
  --node-pid PID               with --rpc: the node's process, for CPU and memory figures
  --node-datadir DIR           with --rpc: the node's data folder, for disk growth
  --node-bin PATH              quorate-node to start (default: beside quorate-bench)
  --workdir DIR                where to make the chain (default: a fresh temporary folder)
  --keep                       keep the chain and its folder after the run

load:
  --rate R | --max-rate        fixed rate in transfers/s (for latency), or maximum rate (default)
  --duration S                 how long to submit (default 60)
  --transactions N             submit exactly N transfers instead (the duration is ignored)
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
  --quick                      3,000 transfers from 20 accounts, verified; the test suite's smoke test

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
