import Dispatch
import QuorateP2P
import Synchronization

/// Where the one outstanding state-sync request waits for its answer. An answer from a peer
/// that was not asked, or when nothing was asked, is unsolicited: the peer is held off.
final class StateSyncInbox: Sendable {
    private struct Waiting {
        var peer: PeerID
        var answer: [[UInt8]]?
    }

    private let state = Mutex<Waiting?>(nil)
    private let arrived = DispatchSemaphore(value: 0)

    /// Sends with `send`, then waits up to `timeoutMs` for `peer`'s answer; nil on timeout.
    func ask(_ peer: PeerID, timeoutMs: Int, send: () -> Void) -> [[UInt8]]? {
        state.withLock { $0 = Waiting(peer: peer) }
        while arrived.wait(timeout: .now()) == .success {}  // drop a stale wake-up
        send()
        let result = arrived.wait(timeout: .now() + .milliseconds(timeoutMs))
        return state.withLock { waiting in
            defer { waiting = nil }
            return result == .success ? waiting?.answer : nil
        }
    }

    /// Returns false for an unsolicited answer.
    func deliver(_ items: [[UInt8]], from peer: PeerID) -> Bool {
        let accepted = state.withLock { waiting -> Bool in
            guard var w = waiting, w.peer == peer, w.answer == nil else { return false }
            w.answer = items
            waiting = w
            return true
        }
        if accepted { arrived.signal() }
        return accepted
    }
}
