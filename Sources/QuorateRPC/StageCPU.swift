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
/// Measured with the calling thread's CPU clock (`CLOCK_THREAD_CPUTIME_ID`, about 50 ns a read
/// on Linux's vDSO), so time a thread spends blocked is not counted, and stages on different
/// threads add up. Process-wide on purpose: CPU belongs to the process, whatever node object
/// (tests run several in one process) did the work.
public enum StageCPU {
    private static let totals = Mutex<[UInt64]>(Array(repeating: 0, count: Stage.allCases.count))

    /// This thread's CPU time in nanoseconds.
    public static func threadNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Adds the thread CPU time since `start` (from `threadNanoseconds()` on this thread).
    public static func add(_ stage: Stage, since start: UInt64) {
        let spent = threadNanoseconds() &- start
        guard spent < 1 << 62 else { return }   // a start read on another thread: nothing sane to add
        totals.withLock { $0[stage.rawValue] += spent }
    }

    /// Runs `body` and counts its CPU time to `stage`.
    @inline(__always)
    public static func measure<T>(_ stage: Stage, _ body: () throws -> T) rethrows -> T {
        let start = threadNanoseconds()
        defer { add(stage, since: start) }
        return try body()
    }

    /// Seconds per stage, in `Stage.allCases` order.
    public static func seconds() -> [(Stage, Double)] {
        let snapshot = totals.withLock { $0 }
        return Stage.allCases.map { ($0, Double(snapshot[$0.rawValue]) / 1e9) }
    }
}

/// A measurement started now on this thread; `finish()` adds it (one line at a call site:
/// `let cpu = StageTimer(.gossipIn); defer { cpu.finish() }`).
public struct StageTimer: Sendable {
    let stage: Stage
    let start: UInt64

    public init(_ stage: Stage) {
        self.stage = stage
        start = StageCPU.threadNanoseconds()
    }

    public func finish() { StageCPU.add(stage, since: start) }
}
