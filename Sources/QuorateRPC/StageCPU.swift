import Foundation
import Synchronization

/// The stages whose CPU time the node counts (`quorate_stage_cpu_seconds_total{stage=...}`), as
/// the throughput work defines them: where a transfer's CPU goes, per node.
public enum Stage: Int, CaseIterable, Sendable {
    case rpcParse, rlpDecode, senderRecovery, admission, gossipIn, gossipOut, proposalBuild
    case proposalValidation, stateUpdate, receiptsIndex, storeWrite, consensus, blockSync

    /// The metric's label.
    public var label: String {
        switch self {
        case .rpcParse: "rpc_parse"
        case .rlpDecode: "rlp_decode"
        case .senderRecovery: "sender_recovery"
        case .admission: "admission"
        case .gossipIn: "gossip_in"
        case .gossipOut: "gossip_out"
        case .proposalBuild: "proposal_build"
        case .proposalValidation: "proposal_validation"
        case .stateUpdate: "state_update"
        case .receiptsIndex: "receipts_index"
        case .storeWrite: "store_write"
        case .consensus: "consensus"
        case .blockSync: "block_sync"
        }
    }
}

/// CPU time per stage, summed over every thread of the process since it started.
///
/// Measured with the calling thread's CPU clock (`CLOCK_THREAD_CPUTIME_ID`), so time a thread
/// spends blocked is not counted, and stages on different threads add up. Process-wide on
/// purpose: CPU belongs to the process, whatever node object (tests run several in one process)
/// did the work.
///
/// Reading that clock is a system call (about 1.4 us measured on the project's VM, not the vDSO
/// read of the wall clock), and the per-transaction stages run several times per transfer: read
/// every time, the counters cost more than some stages they count. So the per-transaction stages
/// are sampled, one call in `sampleEvery` measured and counted `sampleEvery` times; the per-block
/// stages are measured on every call. The totals are estimates with that sampling error.
public enum StageCPU {
    /// One call in this many of a per-transaction stage is measured.
    public static let sampleEvery: UInt64 = 16

    /// One stage's counters, updated with relaxed atomics: the per-transaction stages run on
    /// every RPC and prefetch thread at once, and a shared lock there was contended.
    private final class Counter: Sendable {
        let calls = Atomic<UInt64>(0)
        let nanoseconds = Atomic<UInt64>(0)
    }

    private static let counters: [Counter] = Stage.allCases.map { _ in Counter() }

    /// This thread's CPU time in nanoseconds.
    public static func threadNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Stages that run once or more per transaction, sampled; the rest run per block.
    static func isSampled(_ stage: Stage) -> Bool {
        switch stage {
        case .rpcParse, .rlpDecode, .senderRecovery, .admission, .gossipIn, .gossipOut, .consensus: true
        case .proposalBuild, .proposalValidation, .stateUpdate, .receiptsIndex, .storeWrite, .blockSync: false
        }
    }

    /// The start of a measurement of `stage`, or nil when this call is not sampled.
    public static func start(_ stage: Stage) -> UInt64? {
        guard isSampled(stage) else { return threadNanoseconds() }
        let call = counters[stage.rawValue].calls.wrappingAdd(1, ordering: .relaxed).newValue
        return call % sampleEvery == 1 ? threadNanoseconds() : nil
    }

    /// Adds the thread CPU time since `start` (from `start(_:)` on this thread).
    public static func add(_ stage: Stage, since start: UInt64?) {
        guard let start else { return }
        let spent = threadNanoseconds() &- start
        guard spent < 1 << 58 else { return }   // a start read on another thread: nothing sane to add
        let weight = isSampled(stage) ? sampleEvery : 1
        counters[stage.rawValue].nanoseconds.wrappingAdd(spent &* weight, ordering: .relaxed)
    }

    /// Runs `body` and counts its CPU time to `stage`.
    @inline(__always)
    public static func measure<T>(_ stage: Stage, _ body: () throws -> T) rethrows -> T {
        let started = start(stage)
        defer { add(stage, since: started) }
        return try body()
    }

    /// Seconds per stage, in `Stage.allCases` order.
    public static func seconds() -> [(Stage, Double)] {
        Stage.allCases.map { ($0, Double(counters[$0.rawValue].nanoseconds.load(ordering: .relaxed)) / 1e9) }
    }
}

/// A measurement started now on this thread; `finish()` adds it (one line at a call site:
/// `let cpu = StageTimer(.gossipIn); defer { cpu.finish() }`).
public struct StageTimer: Sendable {
    let stage: Stage
    let start: UInt64?

    public init(_ stage: Stage) {
        self.stage = stage
        start = StageCPU.start(stage)
    }

    public func finish() { StageCPU.add(stage, since: start) }
}
