import Foundation
import QuorateRPC
import QuorateStorage

/// CPU, memory and file descriptors of this process, from /proc/self (Linux).
enum ProcessStats {
    struct Sample: Equatable {
        var cpuSeconds: Double
        var residentBytes: Double
        var openFiles: Double
        var maxOpenFiles: Double
    }

    static func sample() -> Sample? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let cpu = cpuSeconds(stat: stat, ticksPerSecond: Double(sysconf(Int32(_SC_CLK_TCK)))),
              let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return nil }
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        var limit = rlimit()
        let maxFiles = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 ? Double(limit.rlim_cur) : 0
        return Sample(cpuSeconds: cpu, residentBytes: pages * Double(sysconf(Int32(_SC_PAGESIZE))),
                      openFiles: Double(fds), maxOpenFiles: maxFiles)
    }

    /// utime + stime (fields 14 and 15) of /proc/self/stat; the command name before them is in
    /// parentheses and may hold spaces, so fields are counted after the last ')'.
    static func cpuSeconds(stat: String, ticksPerSecond: Double) -> Double? {
        guard let close = stat.lastIndex(of: ")"), ticksPerSecond > 0 else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state): utime is field 14, stime 15.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / ticksPerSecond
    }

    static func render(into out: inout MetricsText) {
        guard let s = sample() else { return }
        out.family("quorate_process_cpu_seconds_total", .counter, "User and system CPU time of the process.")
        out.sample("quorate_process_cpu_seconds_total", [], s.cpuSeconds)
        out.gauge("quorate_process_resident_memory_bytes", "Resident memory of the process.", s.residentBytes)
        out.gauge("quorate_process_open_fds", "Open file descriptors of the process.", s.openFiles)
        out.gauge("quorate_process_max_fds", "The process's limit on open file descriptors.", s.maxOpenFiles)
    }
}

/// Size of the store on disk and LevelDB's own compaction figures (its "leveldb.stats" property).
enum LevelDBStats {
    struct Compactions: Equatable {
        /// Per level: (level, files, seconds, read bytes, written bytes).
        var levels: [(level: Int, files: Int, seconds: Double, readBytes: Double, writtenBytes: Double)]
        static func == (a: Compactions, b: Compactions) -> Bool {
            a.levels.elementsEqual(b.levels) { $0 == $1 }
        }
    }

    /// Parses the table of "leveldb.stats": `Level Files Size(MB) Time(sec) Read(MB) Write(MB)`.
    static func parse(_ stats: String) -> Compactions {
        var levels: [(Int, Int, Double, Double, Double)] = []
        for line in stats.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count == 6, let level = Int(f[0]), let files = Int(f[1]), let seconds = Double(f[3]),
                  let read = Double(f[4]), let written = Double(f[5]) else { continue }
            levels.append((level, files, seconds, read * 1_048_576, written * 1_048_576))
        }
        return Compactions(levels: levels)
    }

    static func sizeBytes(path: String) -> Double {
        let fm = FileManager.default
        let names = (try? fm.contentsOfDirectory(atPath: path)) ?? []
        return names.reduce(0) { total, name in
            total + ((try? fm.attributesOfItem(atPath: path + "/" + name)[.size] as? NSNumber)?.doubleValue ?? 0)
        }
    }

    static func render(_ store: QuorateStorage.ChainStore, path: String, into out: inout MetricsText) {
        out.gauge("quorate_leveldb_size_bytes", "Bytes of the chain store's files on disk.", sizeBytes(path: path))
        let compactions = parse(store.db.property("leveldb.stats") ?? "")
        out.family("quorate_leveldb_files", .gauge, "Table files per LevelDB level.")
        for l in compactions.levels { out.sample("quorate_leveldb_files", [("level", String(l.level))], Double(l.files)) }
        out.family("quorate_leveldb_compaction_seconds_total", .counter, "Time LevelDB spent compacting, per level, since the store opened.")
        for l in compactions.levels { out.sample("quorate_leveldb_compaction_seconds_total", [("level", String(l.level))], l.seconds) }
        out.family("quorate_leveldb_compaction_bytes_total", .counter, "Bytes LevelDB compactions read and wrote, per level, since the store opened.")
        for l in compactions.levels {
            out.sample("quorate_leveldb_compaction_bytes_total", [("level", String(l.level)), ("op", "read")], l.readBytes)
            out.sample("quorate_leveldb_compaction_bytes_total", [("level", String(l.level)), ("op", "write")], l.writtenBytes)
        }
    }
}
