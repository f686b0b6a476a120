/// A state test file that cannot be used as it is: names the file, the test and the field so
/// that whoever edits the file can find the spot ("stExample/add11.json: test add11:
/// pre.0x095e...: balance is not a hex number").
public struct StateTestError: Error, Equatable, CustomStringConvertible {
    public let file: String
    public let test: String?
    public let field: String?
    public let problem: String

    public init(file: String, test: String? = nil, field: String? = nil, problem: String) {
        self.file = file
        self.test = test
        self.field = field
        self.problem = problem
    }

    public var description: String {
        var out = file
        if let test { out += ": test \(test)" }
        if let field { out += ": \(field)" }
        return out + ": " + problem
    }
}

/// A problem found inside one JSON value; the loader adds the file and the test.
struct FieldError: Error {
    let field: String
    let problem: String
}
