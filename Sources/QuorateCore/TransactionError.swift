/// A transaction refused for its content. Messages use geth's wording where geth has one
/// (clients and their users match on it), followed by what exactly was wrong.
public struct TransactionError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String

    public init(description: String) {
        self.description = description
    }

    init(_ description: String) {
        self.description = description
    }

    public static let typeNotSupported = TransactionError("transaction type not supported")
    public static let typedTooShort = TransactionError("typed transaction too short")

    static func invalidSignature(_ reason: String) -> TransactionError {
        TransactionError("invalid transaction v, r, s values: \(reason)")
    }

    static func oversized(_ size: Int) -> TransactionError {
        TransactionError("oversized data: transaction size \(size), limit \(Transaction.maxEncodedBytes)")
    }
}
