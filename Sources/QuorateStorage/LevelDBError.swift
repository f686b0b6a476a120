/// A storage failure, with LevelDB's own message and what the operator can do about it.
public struct StorageError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// Another process (or another handle in this one) holds the database's lock.
        case locked
        /// No database at the path, and creating one was not asked for.
        case missing
        /// Checksums or structure do not match: the files were damaged.
        case corruption
        /// The disk refused: full, read-only, permissions.
        case io
        case invalidArgument
        case other
    }

    public let kind: Kind
    /// What was being done, e.g. "open /var/lib/quorate/db".
    public let operation: String
    /// LevelDB's message, verbatim.
    public let message: String

    public init(kind: Kind, operation: String, message: String) {
        self.kind = kind
        self.operation = operation
        self.message = message
    }

    /// Classifies a LevelDB status string ("IO error: lock ...: Resource temporarily unavailable",
    /// "Corruption: ...", "Invalid argument: ... does not exist (create_if_missing is false)").
    public init(leveldbMessage message: String, operation: String) {
        let kind: Kind
        if message.hasPrefix("IO error: lock ") {
            kind = .locked
        } else if message.contains("does not exist (create_if_missing is false)") {
            kind = .missing
        } else if message.hasPrefix("Corruption:") {
            kind = .corruption
        } else if message.hasPrefix("IO error:") {
            kind = .io
        } else if message.hasPrefix("Invalid argument:") {
            kind = .invalidArgument
        } else {
            kind = .other
        }
        self.init(kind: kind, operation: operation, message: message)
    }

    public var description: String {
        "\(operation): \(summary) (LevelDB: \(message))"
    }

    /// The part a person reads first: what is wrong and what to do.
    private var summary: String {
        switch kind {
        case .locked:
            return "database is locked by another process: is another quorate-node running on this data directory?"
        case .missing:
            return "no database here: run `quorate-node init` first, or check the --data-dir path"
        case .corruption:
            return "database files are corrupt: restore the data directory from a backup, or resync from peers"
        case .io where message.contains("No space left"):
            return "disk full: free space on the data directory's disk, then restart"
        case .io where message.contains("No such file or directory"):
            return "a directory on the path does not exist: create the data directory's parent, or fix the path"
        case .io where message.contains("Permission denied") || message.contains("Read-only"):
            return "cannot write the data directory: check its owner, permissions and mount"
        case .io:
            return "disk I/O failed: check the disk and the data directory"
        case .invalidArgument:
            return "LevelDB refused the request"
        case .other:
            return "LevelDB failed"
        }
    }
}
