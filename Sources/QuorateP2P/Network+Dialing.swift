import Foundation
import QuorateCore
import Synchronization

/// Dialing: one loop per peer kept connected (the `--peer` ones from the start, and those
/// `addPeer` adds at run time), with reconnect backoff.
extension Network {
    /// Starts keeping `address` connected, as a `--peer` one (dialed, reconnected with backoff),
    /// for this run only. The caller allows its key first (`config.isAllowed`), or the dialer
    /// only logs "not in the allowlist". Dialing a peer already dialed at run time again moves
    /// it to the new host and port.
    public func addPeer(_ address: NodeAddress) -> PeerAddition {
        let key = address.publicKey
        guard key != config.nodeKey.publicKey else { return .ownKey }
        let wake = DispatchSemaphore(value: 0)
        let outcome = state.withLock { (s: inout State) -> PeerAddition in
            guard s.phase == .running else { return .notRunning }
            if let existing = s.dialers[key] {
                guard existing.runtime else { return .configured }
                s.dialers[key]?.address = address
                existing.wake.signal()
                return .updated
            }
            s.dialers[key] = Dialer(address: address, wake: wake, runtime: true)
            return .added
        }
        if outcome == .added {
            log("p2p: dialing \(address) (added at run time)")
            spawn("p2p-dial \(address.hostAndPort)") { [self] in dialLoop(key, wake: wake) }
        }
        return outcome
    }

    public enum PeerAddition: Sendable, Equatable {
        /// A new dialer started.
        case added
        /// It was added at run time already; its address is now the given one.
        case updated
        /// It is a `--peer` peer, dialed already; nothing changed.
        case configured
        /// The key is this node's own.
        case ownKey
        /// The network is not running (not started yet, or stopped).
        case notRunning
    }

    /// Stops dialing a peer `addPeer` added; false if it was not one (configured peers stay).
    /// An open session with it stays: the caller closes it with `recheckAllowlist()` once its
    /// key is no longer allowed, since another source (the validator set) may still allow it.
    @discardableResult
    public func removePeer(publicKey key: PeerID) -> Bool {
        let wake = state.withLock { (s: inout State) -> DispatchSemaphore? in
            guard let dialer = s.dialers[key], dialer.runtime else { return nil }
            s.dialers[key] = nil
            return dialer.wake
        }
        guard let wake else { return false }
        wake.signal()
        log("p2p: stopped dialing \(key) (removed at run time)")
        return true
    }

    private enum DialState {
        case connected
        case heldOff(until: ContinuousClock.Instant)
        case dial(NodeAddress)
        /// `removePeer` took the peer off (or the network stops): the loop ends.
        case removed
    }

    /// Keeps one dialed peer connected: dial, run the session, back off, again, until the
    /// network stops or `removePeer` removes the peer.
    func dialLoop(_ key: PeerID, wake: DispatchSemaphore) {
        var backoff = ReconnectBackoff(limits)
        var lastProblem: String?
        func backOff() {
            let wait = backoff.next(validator: config.isValidator(key))
            _ = clock.wait(on: wake, for: wait, purpose: .redial(key))
        }
        while true {
            let now = clock.now
            let dialState = state.withLock { s -> DialState in
                // Identity, not presence: a peer removed and added again has a new dialer,
                // and this loop must end rather than run beside it.
                guard s.phase == .running, let dialer = s.dialers[key], dialer.wake === wake else { return .removed }
                if s.sessions[key] != nil { return .connected }
                if let hold = s.holdOffs[key], hold.until > now { return .heldOff(until: hold.until) }
                return .dial(dialer.address)
            }
            let address: NodeAddress
            switch dialState {
            case .removed:
                return
            case .connected:
                // Woken when that session ends; the timeout is only a safety net.
                _ = clock.wait(on: wake, for: backoff.cap(validator: config.isValidator(key)), purpose: .redial(key))
                continue
            case let .heldOff(until):
                _ = clock.wait(on: wake, for: now.duration(to: until), purpose: .redial(key))
                continue
            case let .dial(target):
                address = target
            }
            guard config.isAllowed(key) else {
                let problem = "not dialing \(address): not in the allowlist"
                if lastProblem != problem { log("p2p: \(problem)") }
                lastProblem = problem
                backOff()
                continue
            }
            let connection: PeerConnection
            do {
                connection = try PeerConnection.connect(to: address, localKey: config.nodeKey, limits: limits.peer, clock: clock)
            } catch {
                NetworkMetrics.shared.handshakeFailed(.outbound, error)
                let problem = "dialing \(address) failed: \(error)"
                if lastProblem != problem {
                    let cap = backoff.cap(validator: config.isValidator(key))
                    log("p2p: \(problem) (retrying, backoff up to \(Self.seconds(cap)))")
                }
                lastProblem = problem
                backOff()
                continue
            }
            lastProblem = nil
            // `removePeer` may have come while connecting; the session it meant to stop
            // did not exist yet for its recheck to close, so do not start it.
            guard state.withLock({ $0.dialers[key]?.wake === wake }) else {
                connection.close()
                continue
            }
            if runSession(connection) { backoff.reset() }
            backOff()
        }
    }
}
