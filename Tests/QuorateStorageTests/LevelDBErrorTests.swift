import QuorateStorage
import Testing

@Suite("LevelDB errors")
struct LevelDBErrorTests {
    @Test("LevelDB status strings map to kinds and say what to do, keeping LevelDB's words")
    func classification() {
        let cases: [(String, StorageError.Kind, String)] = [
            ("IO error: lock /d/db/LOCK: Resource temporarily unavailable", .locked, "is another quorate-node running on this data directory?"),
            ("IO error: lock /d/db/LOCK: already held by process", .locked, "is another quorate-node running on this data directory?"),
            ("Invalid argument: /d/db: does not exist (create_if_missing is false)", .missing, "run `quorate-node init` first"),
            ("Corruption: checksum mismatch", .corruption, "restore the data directory from a backup"),
            ("IO error: /d/db/000005.log: No space left on device", .io, "disk full"),
            ("IO error: /d/db/LOCK: Permission denied", .io, "check its owner, permissions"),
            ("IO error: /nope/db/LOCK: No such file or directory", .io, "does not exist"),
            ("Not implemented: something", .other, "LevelDB failed"),
        ]
        for (message, kind, advice) in cases {
            let error = StorageError(leveldbMessage: message, operation: "open /d/db")
            #expect(error.kind == kind, "\(message)")
            #expect(error.description.contains(advice), "\(error)")
            #expect(error.description.contains(message))
            #expect(error.description.hasPrefix("open /d/db: "))
        }
    }

    @Test("opening under a directory that does not exist fails with a thrown error, not a crash")
    func missingParent() {
        #expect(throws: StorageError.self) {
            _ = try LevelDB(path: "/nonexistent-quorate-parent/deeper/db")
        }
    }
}
