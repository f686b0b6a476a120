import Synchronization

/// Counters and histograms that code paths update as events happen; gauges that are cheaper to
/// read at scrape time are written by the scrape itself (`MetricsText`).
///
/// Every family is declared up front (name, help, buckets), so a typo is a wiring bug that
/// stops the process, and HELP/TYPE lines appear before the first event. Label values come from
/// bounded sets chosen by the caller (method names, reasons, stages): the registry never labels
/// with client input. Output is sorted, so a scrape never depends on dictionary order.
public final class MetricsRegistry: Sendable {
    public struct Family: Sendable {
        public let name: String
        public let kind: MetricsText.Kind
        public let help: String
        /// Upper bounds of a histogram's buckets, ascending (+Inf is implied).
        public let buckets: [Double]

        public static func counter(_ name: String, _ help: String) -> Family {
            Family(name: name, kind: .counter, help: help, buckets: [])
        }

        public static func histogram(_ name: String, _ help: String, buckets: [Double]) -> Family {
            precondition(!buckets.isEmpty && zip(buckets, buckets.dropFirst()).allSatisfy { $0 < $1 },
                         "histogram \(name) needs ascending buckets")
            return Family(name: name, kind: .histogram, help: help, buckets: buckets)
        }
    }

    /// Latency buckets from 1 ms to 1 min (seconds).
    public static let latencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
    /// Fast operations, 50 us to 2.5 s.
    public static let shortBuckets: [Double] = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5]

    private struct Series {
        var value: Double = 0
        var bucketCounts: [UInt64] = []
        var count: UInt64 = 0

        mutating func record(_ observation: Double, bucket: Int) {
            bucketCounts[bucket] += 1
            count += 1
            value += observation
        }
    }

    /// Declared families by name, and the position of each in `series`.
    private let families: [String: (index: Int, family: Family)]
    private let order: [String]
    /// Per family (by index): rendered label set -> series. One flat array so that an update
    /// hashes the family name once, outside the lock, and mutates its series in place (an
    /// update runs for every RPC call and every admitted transaction).
    private let series: Mutex<[[String: Series]]>

    public init(_ families: [Family]) {
        var table: [String: (index: Int, family: Family)] = [:]
        for family in families {
            precondition(table[family.name] == nil, "metric \(family.name) is declared twice")
            table[family.name] = (table.count, family)
        }
        self.families = table
        order = table.keys.sorted()
        series = Mutex(Array(repeating: [:], count: table.count))
    }

    /// Adds to a counter (or to a histogram's sum, which callers never need).
    public func add(_ name: String, _ labels: [(String, String)] = [], _ amount: Double = 1) {
        let (index, family) = declared(name)
        precondition(family.kind == .counter && amount >= 0, "\(name) is not a counter, or the amount is negative")
        let key = MetricsText.labelText(labels)
        series.withLock { $0[index][key, default: Series()].value += amount }
    }

    /// Records one observation in a histogram.
    public func observe(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        let (index, family) = declared(name)
        precondition(family.kind == .histogram, "\(name) is not a histogram")
        let key = MetricsText.labelText(labels)
        let bucket = family.buckets.firstIndex { value <= $0 } ?? family.buckets.count
        let buckets = family.buckets.count + 1
        series.withLock { table in
            // Mutated in place through the dictionary: no copy of the bucket array per call.
            table[index][key, default: Series(bucketCounts: Array(repeating: 0, count: buckets))].record(value, bucket: bucket)
        }
    }

    /// The current value of a counter's series (tests and the health report read it).
    public func value(_ name: String, _ labels: [(String, String)] = []) -> Double {
        let index = declared(name).index
        return series.withLock { $0[index][MetricsText.labelText(labels)]?.value ?? 0 }
    }

    /// Observations so far in a histogram's series.
    public func count(_ name: String, _ labels: [(String, String)] = []) -> UInt64 {
        let index = declared(name).index
        return series.withLock { $0[index][MetricsText.labelText(labels)]?.count ?? 0 }
    }

    /// Writes every declared family, in name order, with its series in label order.
    public func render(into out: inout MetricsText) {
        let snapshot = series.withLock { $0 }
        for name in order {
            let (index, family) = families[name]!
            out.family(name, family.kind, family.help)
            for (labels, s) in snapshot[index].sorted(by: { $0.key < $1.key }) {
                switch family.kind {
                case .counter, .gauge:
                    out.rawSample(name, labels, s.value)
                case .histogram:
                    var cumulative: UInt64 = 0
                    for (i, bound) in family.buckets.enumerated() {
                        cumulative += s.bucketCounts[i]
                        out.rawSample(name + "_bucket", Self.join(labels, "le=\"\(MetricsText.format(bound))\""), Double(cumulative))
                    }
                    out.rawSample(name + "_bucket", Self.join(labels, "le=\"+Inf\""), Double(s.count))
                    out.rawSample(name + "_sum", labels, s.value)
                    out.rawSample(name + "_count", labels, Double(s.count))
                }
            }
        }
    }

    private func declared(_ name: String) -> (index: Int, family: Family) {
        guard let entry = families[name] else { preconditionFailure("metric \(name) is not declared") }
        return entry
    }

    private static func join(_ labels: String, _ extra: String) -> String {
        labels.isEmpty ? extra : labels + "," + extra
    }
}

extension MetricsText {
    /// A sample whose labels are already rendered (`a="x"`).
    mutating func rawSample(_ name: String, _ labels: String, _ value: Double) {
        let line = labels.isEmpty ? "\(name) \(Self.format(value))\n" : "\(name){\(labels)} \(Self.format(value))\n"
        appendRaw(line)
    }
}
