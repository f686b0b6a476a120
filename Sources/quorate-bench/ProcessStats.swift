import Foundation

/// CPU time and memory of a process, from /proc (Linux).
struct ProcessStats: Sendable {
    let cpuS: Double
    let rssBytes: Int
    let peakRssBytes: Int

    static func read(pid: Int32) -> ProcessStats? {
        guard let cpu = cpuSeconds(pid: pid), let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else {
            return nil
        }
        return ProcessStats(cpuS: cpu, rssBytes: kibField("VmRSS:", in: status) * 1024,
                            peakRssBytes: kibField("VmHWM:", in: status) * 1024)
    }

    /// utime + stime (fields 14 and 15 of /proc/PID/stat), counted after the `)` that ends the
    /// command name, which may itself hold spaces.
    static func cpuSeconds(pid: Int32) -> Double? {
        cpuSeconds(path: "/proc/\(pid)/stat")
    }

    static func cpuSeconds(path: String) -> Double? {
        guard let stat = try? String(contentsOfFile: path, encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    private static func kibField(_ name: String, in status: String) -> Int {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return 0 }
        return Int(line.dropFirst(name.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "") ?? 0
    }
}

/// Disk used by a folder, as `du` counts it (allocated blocks of every file below it).
enum DirectorySize {
    static func bytes(_ path: String) -> Int {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return 0 }
        var total = 0
        for case let relative as String in walker {
            var st = stat()
            if lstat(path + "/" + relative, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG {
                total += Int(st.st_blocks) * 512
            }
        }
        return total
    }
}

/// The machine, for the report.
struct MachineInfo: Sendable {
    let cores: Int
    let cpuModel: String
    let memoryBytes: Int

    static func read() -> MachineInfo {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        let meminfo = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
        let memKiB = meminfo.split(separator: "\n").first { $0.hasPrefix("MemTotal:") }
            .flatMap { Int($0.dropFirst("MemTotal:".count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "") } ?? 0
        return MachineInfo(cores: ProcessInfo.processInfo.activeProcessorCount, cpuModel: model, memoryBytes: memKiB * 1024)
    }
}

/// CPU time of the whole machine (all processes), from the first line of /proc/stat: what the
/// node and the bench did not use was used by something else on the machine.
enum MachineCPU {
    static func busySeconds() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = stat.split(separator: "\n").first, line.hasPrefix("cpu ") else { return nil }
        let ticks = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard ticks.count >= 8 else { return nil }
        // user nice system idle iowait irq softirq steal: everything but idle and iowait.
        let busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + ticks[7]
        return busy / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The 1-minute load average when asked.
    static func loadAverage1m() -> Double? {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))
            .flatMap { $0.split(separator: " ").first }.flatMap { Double($0) }
    }
}

/// CPU seconds of each thread of a process (/proc/PID/task/TID/stat), to find the thread that
/// limits throughput.
struct ThreadCPU: Sendable {
    let tid: Int32
    let name: String
    let cpuS: Double

    static func read(pid: Int32) -> [ThreadCPU] {
        let dir = "/proc/\(pid)/task"
        guard let tids = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
        return tids.compactMap { t in
            guard let tid = Int32(t), let cpu = ProcessStats.cpuSeconds(path: "\(dir)/\(t)/stat") else { return nil }
            let name = (try? String(contentsOfFile: "\(dir)/\(t)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            return ThreadCPU(tid: tid, name: name, cpuS: cpu)
        }
    }

    /// CPU each thread used between two readings, busiest first (threads that exited are lost).
    static func delta(_ before: [ThreadCPU], _ after: [ThreadCPU]) -> [ThreadCPU] {
        let start = Dictionary(before.map { ($0.tid, $0.cpuS) }, uniquingKeysWith: { a, _ in a })
        return after.map { ThreadCPU(tid: $0.tid, name: $0.name, cpuS: $0.cpuS - (start[$0.tid] ?? 0)) }
            .sorted { $0.cpuS > $1.cpuS }
    }
}
