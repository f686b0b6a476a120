import Foundation
import QuorateEVMRunner

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

let command: EVMCommand
do {
    command = try EVMCommand.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    printError("quorate-evm: \(error)\n\(EVMCommand.usage)")
    exit(2)
}

switch command {
case .help:
    print(EVMCommand.usage)
case .statetest(let options):
    exit(StatetestCommand(options, out: { print($0) }, err: printError).run())
case .bench(let options):
    do {
        _ = try BenchCommand(options, out: { print($0) }).run()
    } catch {
        printError("quorate-evm bench: \(error)")
        exit(1)
    }
}
