import Foundation

/// Where a password comes from: a file, an environment variable, or the terminal. Never from a
/// command-line argument, which other users can read in `ps` and which lands in shell history.
public enum PasswordSource {
    public static let environmentVariable = "QUORATE_PASSWORD"
    public static let maxFileBytes = 4096

    public struct PasswordError: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Reads the password from `file` if given, else `QUORATE_PASSWORD`, else prompts on the
    /// terminal (twice when `confirm`). A trailing newline in the file is dropped.
    public static func read(file: String?, prompt: String, confirm: Bool = false) throws -> [UInt8] {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw PasswordError(description: "cannot read the password file \(file)")
            }
            guard data.count <= maxFileBytes else {
                throw PasswordError(description: "password file \(file) is over \(maxFileBytes) bytes: is it the right file?")
            }
            var bytes = Array(data)
            while let last = bytes.last, last == 0x0a || last == 0x0d { bytes.removeLast() }
            return bytes
        }
        if let env = ProcessInfo.processInfo.environment[environmentVariable] {
            return Array(env.utf8)
        }
        guard isatty(STDIN_FILENO) != 0 else {
            throw PasswordError(description: "no password: give --password-file FILE or set \(environmentVariable) (stdin is not a terminal, so there is no prompt)")
        }
        let first = try promptHidden(prompt)
        if confirm {
            guard try promptHidden("Repeat password: ") == first else {
                throw PasswordError(description: "the passwords do not match")
            }
        }
        return first
    }

    private static func promptHidden(_ prompt: String) throws -> [UInt8] {
        guard let cString = getpass(prompt) else { throw PasswordError(description: "could not read a password from the terminal") }
        return Array(String(cString: cString).utf8)
    }
}
