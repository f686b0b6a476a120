import Foundation

/// The maintenance thread (liveness rules in `SessionLiveness`) and the words the one-session
/// rule uses in the log.
extension Network {
    /// Every `SessionLiveness.tick`: hello timeouts, dead links, keep-alives, expired hold-offs.
    func maintenanceLoop() {
        let liveness = SessionLiveness(limits)
        while isRunning {
            _ = clock.wait(on: maintenanceWake, for: liveness.tick, purpose: .maintenanceTick)
            let now = clock.now
            let (sessions, height) = state.withLock { s in
                s.holdOffs = s.holdOffs.filter { $0.value.until > now }
                return (Array(s.sessions.values), s.height)
            }
            guard isRunning else { return }
            for session in sessions {
                switch liveness.verdict(session.livenessTimes, now: now) {
                case .fine:
                    break
                case .sendKeepAlive:
                    if session.isReady { send(WireMessage.status(height: height).encoded(), name: "status", to: session) }
                case let .end(reason):
                    session.end(reason)
                }
            }
        }
    }

    /// Why `old` gives way to `new` (same key), in the words of the rule that decided it.
    func replacementReason(old: PeerSession, new: PeerSession) -> String {
        guard old.direction != new.direction else {
            return "replaced by a newer \(new.direction == .inbound ? "inbound" : "outbound") connection with the same peer "
                + "(it reconnected before this one's end was noticed)"
        }
        let whose = new.direction == .inbound ? "the peer's" : "ours"
        return "dropped in favour of the \(new.direction == .inbound ? "inbound" : "outbound") connection dialed at the same time "
            + "(one session per peer key: the one dialed by the smaller key, \(whose), stays)"
    }
}
