import Foundation

/// How both executables end a command: usage errors exit 2, other failures 1, each with one line
/// on stderr that names the tool and the command.
public enum CommandExit {
    public static func run(tool: String, command: String, _ body: () throws -> Void) -> Never {
        do {
            try body()
            exit(0)
        } catch let error as CommandLineArguments.UsageError {
            fail(tool, command, error, status: 2)
        } catch {
            fail(tool, command, error, status: 1)
        }
    }

    public static func unknownCommand(tool: String, command: String, usage: String) -> Never {
        FileHandle.standardError.write(Data("\(tool): unknown command \(command)\n\n\(usage)\n".utf8))
        exit(2)
    }

    private static func fail(_ tool: String, _ command: String, _ error: Error, status: Int32) -> Never {
        FileHandle.standardError.write(Data("\(tool) \(command): \(error)\n".utf8))
        exit(status)
    }
}
