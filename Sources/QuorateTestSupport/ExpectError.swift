import Testing

/// Runs `body` and checks it throws an error whose description contains `text` (any error when
/// `text` is empty): the tests check what a user would read, not only that something failed.
public func expectError(containing text: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected an error containing \"\(text)\", got none", sourceLocation: sourceLocation)
    } catch {
        #expect(text.isEmpty || "\(error)".contains(text), "\(error)", sourceLocation: sourceLocation)
    }
}
