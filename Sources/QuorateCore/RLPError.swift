/// A refused RLP input. Messages follow geth's wording so that operators and client authors
/// recognise them.
public struct RLPError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String

    public init(description: String) {
        self.description = description
    }

    init(_ description: String) {
        self.description = description
    }

    public static let emptyInput = RLPError("rlp: empty input")
    public static let unexpectedEOF = RLPError("rlp: unexpected EOF")
    public static let nonCanonicalSize = RLPError("rlp: non-canonical size information")
    public static let valueTooLarge = RLPError("rlp: value size exceeds available input length")
    public static let elementTooLarge = RLPError("rlp: element is larger than containing list")
    public static let moreThanOneValue = RLPError("rlp: input contains more than one value")
    public static let expectedString = RLPError("rlp: expected String or Byte")
    public static let expectedList = RLPError("rlp: expected List")
    public static let nonCanonicalInteger = RLPError("rlp: non-canonical integer (leading zero bytes)")
    public static let uintOverflow = RLPError("rlp: uint overflow")
    public static let tooDeep = RLPError("rlp: lists nested deeper than \(RLP.maxDepth) levels")
}
