import Synchronization
import Testing
@testable import QuorateRPC

@Suite("Prometheus exposition")
struct MetricsTextTests {
    @Test("a histogram renders cumulative buckets, +Inf, _sum and _count under one HELP and TYPE")
    func histogramRendering() {
        let registry = MetricsRegistry([.histogram("quorate_x_seconds", "X.", buckets: [0.1, 1])])
        registry.observe("quorate_x_seconds", [("m", "a")], 0.05)
        registry.observe("quorate_x_seconds", [("m", "a")], 0.5)
        registry.observe("quorate_x_seconds", [("m", "a")], 7)
        var out = MetricsText()
        registry.render(into: &out)
        #expect(out.text == """
        # HELP quorate_x_seconds X.
        # TYPE quorate_x_seconds histogram
        quorate_x_seconds_bucket{m="a",le="0.1"} 1
        quorate_x_seconds_bucket{m="a",le="1"} 2
        quorate_x_seconds_bucket{m="a",le="+Inf"} 3
        quorate_x_seconds_sum{m="a"} 7.55
        quorate_x_seconds_count{m="a"} 3

        """)
    }

    @Test("counter series come out sorted by label whatever the order of the events")
    func countersSorted() {
        let registry = MetricsRegistry([.counter("quorate_calls_total", "Calls.")])
        registry.add("quorate_calls_total", [("method", "b")])
        registry.add("quorate_calls_total", [("method", "a")], 2)
        registry.add("quorate_calls_total", [("method", "b")])
        var out = MetricsText()
        registry.render(into: &out)
        #expect(out.text.hasSuffix("quorate_calls_total{method=\"a\"} 2\nquorate_calls_total{method=\"b\"} 2\n"))
        #expect(registry.value("quorate_calls_total", [("method", "b")]) == 2)
    }

    @Test("a declared family with no events still has its HELP and TYPE lines")
    func emptyFamily() {
        var out = MetricsText()
        MetricsRegistry([.counter("quorate_none_total", "Nothing yet.")]).render(into: &out)
        #expect(out.text == "# HELP quorate_none_total Nothing yet.\n# TYPE quorate_none_total counter\n")
    }

    @Test("label values with quotes, backslashes and newlines are escaped as the format requires")
    func labelEscaping() {
        var out = MetricsText()
        out.family("quorate_g", .gauge, "G.")
        out.sample("quorate_g", [("v", "a\"b\\c\nd")], 1)
        #expect(out.text.hasSuffix(#"quorate_g{v="a\"b\\c\nd"} 1"# + "\n"))
    }

    @Test("numbers: integers without a point, fractions as decimals, infinities as Prometheus spells them")
    func numberFormat() {
        #expect(MetricsText.format(3) == "3")
        #expect(MetricsText.format(0.25) == "0.25")
        #expect(MetricsText.format(.infinity) == "+Inf")
        #expect(MetricsText.format(.nan) == "NaN")
    }
}

@Suite("RPC call observer")
struct RPCCallObserverTests {
    @Test("calls are reported by method name, and unknown methods as other so clients cannot grow the label set")
    func unknownMethodsAreOther() {
        let dispatcher = makeTestDispatcher()
        let seen = Recorder()
        dispatcher.observeCalls { method, _, failed in seen.append("\(method):\(failed)") }
        _ = dispatcher.call("add", RPCParams(["0x1", "0x2"]))
        _ = dispatcher.call("no_such_method_\(7)", RPCParams([]))
        _ = dispatcher.call("add", RPCParams(["not a number"]))
        #expect(seen.items == ["add:false", "other:true", "add:true"])
    }
}

final class Recorder: Sendable {
    private let list = Mutex<[String]>([])
    func append(_ s: String) { list.withLock { $0.append(s) } }
    var items: [String] { list.withLock { $0 } }
}
