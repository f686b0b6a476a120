import QuorateCLI
import Synchronization

/// What is left of the process-wide log: the one entry point `ConsensusDriver` still calls.
/// Every other part of the node logs through the `Logger` handed to `Node`; the driver's
/// replacement (the one `Ready` executor of issue 12) takes that logger in its init, and this
/// type goes with the driver. Until then `Node.init` points it at the node's logger.
enum Log {
    private static let current = Mutex<Logger>(.standardError())

    static func use(_ logger: Logger) {
        current.withLock { $0 = logger }
    }

    static func info(_ module: String, _ message: String, _ fields: [(String, String)] = []) {
        current.withLock { $0 }.info(module, message, fields)
    }

    static func warn(_ module: String, _ message: String, _ fields: [(String, String)] = []) {
        current.withLock { $0 }.warn(module, message, fields)
    }
}
