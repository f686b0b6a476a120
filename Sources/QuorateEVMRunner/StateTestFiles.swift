import Foundation

/// One state test file to run, with the name results and the skip list use for it.
public struct StateTestFile: Sendable, Equatable {
    public var path: String
    /// Relative to the GeneralStateTests folder when the path runs through one
    /// ("stExample/add11.json"), else relative to the folder given on the command line.
    public var displayName: String
}

public enum StateTestFiles {
    /// The `.json` files of `path` (a file, or a folder searched recursively) in sorted order;
    /// nil when nothing exists at `path`.
    public static func find(_ path: String) -> [StateTestFile]? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
        if !isDirectory.boolValue {
            return [StateTestFile(path: path, displayName: displayName(path, relativeTo: nil))]
        }
        let root = path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var relative: [String] = []
        while let next = walker.nextObject() as? String {
            if next.hasSuffix(".json") { relative.append(next) }
        }
        return relative.sorted().map { rel in
            let full = root + "/" + rel
            return StateTestFile(path: full, displayName: displayName(full, relativeTo: rel))
        }
    }

    static func displayName(_ full: String, relativeTo rel: String?) -> String {
        if let r = full.range(of: "GeneralStateTests/", options: .backwards) {
            return String(full[r.upperBound...])
        }
        return rel ?? full
    }
}
