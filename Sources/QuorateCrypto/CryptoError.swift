/// The one error type of this module; `description` is written for the person who meets it.
public struct CryptoError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
