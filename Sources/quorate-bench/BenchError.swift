import QuorateCLI

/// An error a person running the bench can act on: the message says what is wrong and what to do.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A command line the bench cannot use; exits with status 2 and the usage hint.
typealias UsageError = CommandLineArguments.UsageError
