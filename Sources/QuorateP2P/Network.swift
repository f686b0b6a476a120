import Foundation
import QuorateCore
import QuorateCrypto
import Synchronization

/// The peers layer: listens, dials the configured peers and keeps them connected, keeps one
/// session per peer key, exchanges hellos, rate-limits, holds misbehaving peers off, and
/// carries transactions, consensus payloads, heights and block sync as opaque bytes.
///
/// Threads: one per session (the read loop; inbound sessions run on the listener's handshake
/// thread, outbound ones on the dialer's), one dialer per configured peer, one maintenance
/// thread (hello timeout, keep-alive, idle timeout), plus each connection's writer thread.
/// A `Network` is started once; to restart, make a new one (same key and port is fine).
public final class Network: Sendable {
    public let config: NetworkConfig
    var limits: NetworkLimits { config.limits }
    var clock: any NetworkClock { config.clock }

    enum Phase { case created, running, stopped }

    struct State {
        var phase = Phase.created
        var listener: PeerListener?
        var boundPort: UInt16?
        var sessions: [PeerID: PeerSession] = [:]
        var holdOffs: [PeerID: (until: ContinuousClock.Instant, reason: String)] = [:]
        /// Why `admit` refused a key, for the rejection's log line.
        var refusals: [PeerID: String] = [:]
        var height: UInt64 = 0
        /// One per peer being kept connected: the `--peer` ones from the start, plus those
        /// `addPeer` added. Its dial loop ends once its entry is gone.
        var dialers: [PeerID: Dialer] = [:]
    }

    struct Dialer {
        /// Read by the dial loop before each attempt, so `addPeer` can change it.
        var address: NodeAddress
        let wake: DispatchSemaphore
        /// Added by `addPeer` (removable by `removePeer`), not configured.
        let runtime: Bool
    }

    let state = Mutex(State())
    private let delegateBox: Mutex<(any NetworkDelegate)?>
    /// Serialises connected/disconnected notifications, so that the delegate sees them per key
    /// in a consistent order when a session replaces another.
    private let notifyLock = Mutex(())
    private let threads = DispatchGroup()
    let maintenanceWake = DispatchSemaphore(value: 0)

    /// The network holds `delegate` (strongly) until `stop()`.
    public init(config: NetworkConfig, delegate: any NetworkDelegate) {
        config.limits.validate()
        self.config = config
        delegateBox = Mutex(delegate)
    }

    deinit { stop() }

    // MARK: Life cycle

    /// Listens on `listenHost:listenPort` and starts dialing the configured peers.
    public func start() throws(PeerConnectionError) {
        let ready = state.withLock { (s: inout State) -> Bool in
            guard s.phase == .created else { return false }
            s.phase = .running
            return true
        }
        precondition(ready, "Network.start() may be called once")
        let listener: PeerListener
        do {
            listener = try PeerListener(
                localKey: config.nodeKey, host: config.listenHost, port: config.listenPort, limits: limits.peer,
                clock: clock,
                isAllowed: { [self] key in admit(key) },
                onPeer: { [self] connection in _ = runSession(connection) },
                onRejected: { [self] rejection in logRejection(rejection) })
        } catch {
            state.withLock { $0.phase = .stopped }
            throw error
        }
        let own = config.nodeKey.publicKey
        var seen: Set<PeerID> = [own]
        let dialed = config.peers.filter { seen.insert($0.publicKey).inserted }
        let wakes = dialed.map { _ in DispatchSemaphore(value: 0) }
        let stillRunning = state.withLock { (s: inout State) -> Bool in
            guard s.phase == .running else { return false }   // stop() came first
            s.listener = listener
            s.boundPort = listener.port
            for (address, wake) in zip(dialed, wakes) {
                s.dialers[address.publicKey] = Dialer(address: address, wake: wake, runtime: false)
            }
            return true
        }
        guard stillRunning else {
            listener.close()
            return
        }
        log("p2p: listening on \(config.listenHost):\(listener.port) as \(own); dialing \(dialed.count) peer(s)")
        for (address, wake) in zip(dialed, wakes) {
            spawn("p2p-dial \(address.hostAndPort)") { [self] in dialLoop(address.publicKey, wake: wake) }
        }
        spawn("p2p-maintenance") { [self] in maintenanceLoop() }
    }

    /// Closes the listener and every session and stops dialing. Waits (bounded) for the
    /// network's threads, unless called from one of them; no delegate call starts afterwards.
    public func stop() {
        let (listener, sessions, wakes, wasRunning) = state.withLock { (s: inout State) in
            let wasRunning = s.phase == .running
            s.phase = .stopped
            defer { s.listener = nil }
            return (s.listener, Array(s.sessions.values), s.dialers.values.map(\.wake), wasRunning)
        }
        guard wasRunning else {
            delegateBox.withLock { $0 = nil }
            return
        }
        listener?.close()
        for session in sessions { session.end("network stopped") }
        for wake in wakes { wake.signal() }
        maintenanceWake.signal()
        let onNetworkThread = Thread.current.name?.hasPrefix("p2p-") ?? false
        if !onNetworkThread {
            let bound = limits.peer.handshakeTimeout + .seconds(5)
            if threads.wait(timeout: .now() + Self.dispatchInterval(bound)) == .timedOut {
                log("p2p: stop: network threads still running after \(bound)")
            }
        }
        delegateBox.withLock { $0 = nil }
        log("p2p: stopped")
    }

    /// The port listened on, once started.
    public var boundPort: UInt16? { state.withLock { $0.boundPort } }

    // MARK: Peers

    /// Peers whose hello was accepted, sorted by compressed key bytes.
    public var connectedPeers: [PeerID] { readySessions().map(\.key) }

    /// Each connected peer with the last height it reported, sorted by compressed key bytes.
    public func peerHeights() -> [(PeerID, UInt64)] { readySessions().map { ($0.key, $0.height) } }

    /// Disconnects and holds off `peer` for `NetworkLimits.misbehaviourHoldOff` (for faults
    /// only the node can see: a bad signature, an invalid block).
    public func reportMisbehaviour(_ peer: PeerID, reason: String) {
        let session = state.withLock { $0.sessions[peer] }
        holdOff(peer, reason: reason)
        session?.end("misbehaviour reported by the node: \(reason)")
    }

    /// A connected peer as operators see it (`admin_peers`).
    public struct PeerInfo: Sendable, Equatable {
        public let key: PeerID
        /// "host:port" of the other end of the TCP connection.
        public let remoteAddress: String
        public let direction: PeerConnection.Direction
        /// The last height it reported (hello or status).
        public let height: UInt64
    }

    /// Peers whose hello was accepted, sorted by compressed key bytes.
    public func peers() -> [PeerInfo] {
        readySessions().map {
            PeerInfo(key: $0.key, remoteAddress: $0.connection.remoteAddress, direction: $0.direction, height: $0.height)
        }
    }

    /// Closes sessions whose key `config.isAllowed` refuses now (the validator set changed).
    public func recheckAllowlist() {
        for session in state.withLock({ Array($0.sessions.values) }) where !config.isAllowed(session.key) {
            session.end("no longer in the allowlist")
        }
    }

    // MARK: Sending

    /// Sends `raws` to every ready peer but `except` for which `to` holds.
    public func broadcastTransactions(_ raws: [[UInt8]], except: PeerID?, to wanted: (PeerID) -> Bool = { _ in true }) {
        let sessions = readySessions().filter { $0.key != except && wanted($0.key) }
        guard !sessions.isEmpty else { return }
        let messages = batches(raws, maxCount: limits.maxTransactionsPerMessage, what: "transaction")
            .map { WireMessage.transactions($0).encoded() }
        guard !messages.isEmpty else { return }
        for session in sessions {
            for message in messages { send(message, name: "transactions", to: session) }
        }
    }

    public func broadcastConsensus(_ payload: [UInt8], except: PeerID?) {
        let message = WireMessage.consensus(payload).encoded()
        for session in readySessions() where session.key != except {
            send(message, name: "consensus", to: session)
        }
    }

    /// Sends to one peer; dropped if it is not connected.
    public func sendConsensus(_ payload: [UInt8], to peer: PeerID) {
        guard let session = readySession(peer) else { return }
        send(WireMessage.consensus(payload).encoded(), name: "consensus", to: session)
    }

    /// Records our height (sent in hellos and keep-alives) and sends it to every peer. May be
    /// called before `start()` to set the height of the first hellos.
    public func announceHeight(_ height: UInt64) {
        state.withLock { $0.height = height }
        let message = WireMessage.status(height: height).encoded()
        for session in readySessions() { send(message, name: "status", to: session) }
    }

    /// Asks `peer` for blocks `startHeight...` (`count` is clamped to 1...maxBlocksPerResponse).
    /// The answer arrives through `didReceiveBlocks`; nothing if the peer is not connected.
    public func requestBlocks(from peer: PeerID, startHeight: UInt64, count: Int) {
        guard let session = readySession(peer) else { return }
        let clamped = UInt32(min(max(count, 1), limits.maxBlocksPerResponse))
        send(WireMessage.getBlocks(start: startHeight, count: clamped).encoded(), name: "getBlocks", to: session)
    }

    /// State sync: asks `peer` for a part of its state (StateSyncProtocol.swift in the node).
    public func requestState(_ items: [[UInt8]], from peer: PeerID) {
        guard let session = readySession(peer) else { return }
        send(WireMessage.stateRequest(items).encoded(), name: "stateRequest", to: session)
    }

    func send(_ message: [UInt8], name: String, to session: PeerSession) {
        NetworkMetrics.shared.message(.outbound, name, bytes: message.count)
        guard let error = session.send(message) else { return }
        switch error {
        case .messageTooLarge, .sendQueueFull:
            guard let unlogged = session.shouldLogDrop(now: clock.now) else { return }
            let more = unlogged > 0 ? " (and \(unlogged) more since the last such line)" : ""
            log("p2p: dropped a \(name) message to \(session.key): \(error)\(more)")
        default:
            break   // the session is ending; its read loop logs why
        }
    }

    /// Splits `items` into messages of at most `maxCount` items that fit `maxMessageBytes`.
    func batches(_ items: [[UInt8]], maxCount: Int, what: String) -> [[[UInt8]]] {
        let budget = limits.peer.maxMessageBytes
        var out: [[[UInt8]]] = []
        var current: [[UInt8]] = []
        var size = WireMessage.listOverhead
        for item in items {
            let cost = WireMessage.itemOverhead + item.count
            guard WireMessage.listOverhead + cost <= budget else {
                log("p2p: dropped a \(what) of \(item.count) bytes: above PeerLimits.maxMessageBytes (\(budget))")
                continue
            }
            if current.count == maxCount || size + cost > budget {
                out.append(current)
                current = []
                size = WireMessage.listOverhead
            }
            current.append(item)
            size += cost
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    func readySessions() -> [PeerSession] {
        state.withLock { Array($0.sessions.values) }
            .filter(\.isReady)
            .sorted { $0.key.compressed.lexicographicallyPrecedes($1.key.compressed) }
    }

    func readySession(_ peer: PeerID) -> PeerSession? {
        guard let session = state.withLock({ $0.sessions[peer] }), session.isReady else { return nil }
        return session
    }

    // MARK: Admission and hold-off

    /// The listener's check right after act three.
    private func admit(_ key: PeerID) -> Bool {
        var refusal: String?
        if key == config.nodeKey.publicKey {
            refusal = "it is our own node key"
        } else if !config.isAllowed(key) {
            refusal = "not in the allowlist"
        }
        let now = clock.now
        return state.withLock { s in
            if refusal == nil {
                if s.phase != .running {
                    refusal = "the network is stopping"
                } else if let hold = s.holdOffs[key], hold.until > now {
                    refusal = "held off for another \(Self.wholeSeconds(now.duration(to: hold.until))) after misbehaviour (\(hold.reason))"
                } else if s.sessions.count(where: { $0.key != key }) >= limits.maxPeers {
                    refusal = "\(limits.maxPeers) peers connected already (NetworkLimits.maxPeers)"
                }
            }
            guard let refusal else { return true }
            s.refusals[key] = refusal
            return false
        }
    }

    private func logRejection(_ rejection: PeerListener.Rejection) {
        NetworkMetrics.shared.handshakeFailed(.inbound, rejection.reason)
        if let key = rejection.remoteKey, case .notAllowed = rejection.reason {
            let reason = state.withLock { $0.refusals.removeValue(forKey: key) } ?? "not in the allowlist"
            log("p2p: refused \(key) from \(rejection.remoteAddress): \(reason)")
        } else {
            let kind = rejection.reason.isMisbehaviour ? " (misbehaviour)" : ""
            log("p2p: rejected inbound connection from \(rejection.remoteAddress)\(kind): \(rejection.reason)")
        }
    }

    private func holdOff(_ key: PeerID, reason: String) {
        let duration = limits.misbehaviourHoldOff
        guard duration > .zero else { return }
        NetworkMetrics.shared.heldOff(reason: reason)
        let until = clock.now + duration
        state.withLock { $0.holdOffs[key] = (until, reason) }
        log("p2p: holding off \(key) for \(Self.seconds(duration)): \(reason)")
    }

    // MARK: Sessions

    private enum Registration {
        case registered
        case replaced(PeerSession)
        case duplicate(of: PeerSession)
        case refused(String)
    }

    /// Runs a session from the handshake to its end on the calling thread. True if the peer's
    /// hello was accepted (the dialer then resets its backoff).
    func runSession(_ connection: PeerConnection) -> Bool {
        threads.enter()
        defer { threads.leave() }
        let session = PeerSession(connection: connection, limits: limits, clock: clock)
        let registration = state.withLock { (s: inout State) -> Registration in
            guard s.phase == .running else { return .refused("the network is stopping") }
            guard let existing = s.sessions[session.key] else {
                s.sessions[session.key] = session
                return .registered
            }
            if keeps(existing, over: session) { return .duplicate(of: existing) }
            s.sessions[session.key] = session
            return .replaced(existing)
        }
        switch registration {
        case let .refused(reason):
            connection.close()
            log("p2p: closed \(session.label): \(reason)")
            return false
        case let .duplicate(existing):
            log("p2p: closed duplicate connection \(session.label): keeping the \(existing.direction == .inbound ? "inbound" : "outbound") one (one session per peer key: the one dialed by the smaller key)")
            // Tell the peer why, or its side reads a bare close before any hello.
            connection.close(after: WireMessage.goodbye(.duplicateConnection).encoded())
            return false
        case let .replaced(old):
            if old.direction != session.direction {
                // Simultaneous dials: the peer may have registered the losing connection as its
                // session; the goodbye tells it why that one ends.
                old.end(replacementReason(old: old, new: session), goodbye: .duplicateConnection)
            } else {
                old.end(replacementReason(old: old, new: session))
            }
            reportDisconnect(old)
        case .registered:
            break
        }

        let hello = Hello(version: WireMessage.protocolVersion, chainId: config.chainId,
                          genesisHash: config.genesisHash, height: state.withLock { $0.height })
        send(WireMessage.hello(hello).encoded(), name: "hello", to: session)
        readLoop(session)
        finish(session)
        return session.hasHello
    }

    /// Of two sessions with one key, whether to keep `existing` and drop `new`. Both sides
    /// decide alike: of an inbound and an outbound one, the one initiated by the smaller key
    /// (compressed bytes) stays; of two in the same direction (the peer reconnected before we
    /// noticed the old one end), the newer.
    private func keeps(_ existing: PeerSession, over new: PeerSession) -> Bool {
        guard existing.direction != new.direction else { return false }
        let weAreSmaller = config.nodeKey.publicKey.compressed.lexicographicallyPrecedes(new.key.compressed)
        let preferred: PeerConnection.Direction = weAreSmaller ? .outbound : .inbound
        return existing.direction == preferred
    }

    private func readLoop(_ session: PeerSession) {
        let decodeLimits = WireMessage.Limits(maxTransactions: limits.maxTransactionsPerMessage,
                                              maxBlocks: limits.maxBlocksPerResponse, maxHashes: limits.maxHashesPerMessage)
        while true {
            let bytes: [UInt8]
            do {
                bytes = try session.connection.receive()
            } catch {
                return
            }
            guard session.received(now: clock.now) else {
                misbehaved(session, "more than \(limits.messageBurst) messages at once or \(limits.messagesPerSecond)/s sustained (NetworkLimits.messagesPerSecond, messageBurst)")
                return
            }
            let message: WireMessage
            do {
                message = try WireMessage.decode(bytes, limits: decodeLimits)
                NetworkMetrics.shared.message(.inbound, message.name, bytes: bytes.count)
            } catch {
                misbehaved(session, "malformed message: \(error)")
                return
            }
            guard handle(message, from: session) else { return }
        }
    }

    /// Acts on one message; false once the session has ended.
    private func handle(_ message: WireMessage, from session: PeerSession) -> Bool {
        if case let .goodbye(reason) = message {
            session.end(reason.description)
            return false
        }
        if case let .hello(hello) = message {
            guard !session.hasHello else {
                misbehaved(session, "a second hello")
                return false
            }
            if let mismatch = mismatch(hello) {
                session.end(mismatch)
                return false
            }
            session.accepted(hello)
            log("p2p: connected \(session.label), height \(hello.height)")
            announce(session, height: hello.height)
            return true
        }
        guard session.hasHello else {
            misbehaved(session, "a \(message.name) message before the hello")
            return false
        }
        let peer = session.key
        switch message {
        case .hello, .goodbye:
            preconditionFailure("handled above")
        case let .transactions(raws):
            if !raws.isEmpty { delegate?.network(self, didReceiveTransactions: raws, from: peer) }
        case let .consensus(payload):
            delegate?.network(self, didReceiveConsensus: payload, from: peer)
        case let .status(height):
            session.setHeight(height)
            delegate?.network(self, peer: peer, reportedHeight: height)
        case let .getBlocks(start, count):
            let asked = min(Int(count), limits.maxBlocksPerResponse)
            let blocks = asked == 0 ? [] : (delegate?.network(self, blocksFrom: start, count: asked) ?? [])
            var answer: [[UInt8]] = []
            var size = WireMessage.listOverhead
            for block in blocks.prefix(asked) {
                size += WireMessage.itemOverhead + block.count
                guard size <= limits.peer.maxMessageBytes else { break }
                answer.append(block)
            }
            send(WireMessage.blocks(answer).encoded(), name: "blocks", to: session)
        case let .blocks(payloads):
            delegate?.network(self, didReceiveBlocks: payloads, from: peer)
        case let .poolHashes(hashes):
            if !hashes.isEmpty { delegate?.network(self, peer: peer, announcedPool: hashes) }
        case let .getPoolTransactions(hashes):
            let raws = hashes.isEmpty ? [] : (delegate?.network(self, pooledTransactions: hashes) ?? [])
            sendTransactions(raws, to: session)
        case let .stateRequest(items):
            let answer = delegate?.network(self, stateRequest: items, from: peer) ?? []
            send(WireMessage.stateResponse(answer).encoded(), name: "stateResponse", to: session)
        case let .stateResponse(items):
            delegate?.network(self, didReceiveStateResponse: items, from: peer)
        }
        return session.endReason == nil
    }

    private func mismatch(_ hello: Hello) -> String? {
        if hello.version != WireMessage.protocolVersion {
            return "peer speaks protocol version \(hello.version), we speak \(WireMessage.protocolVersion)"
        }
        if hello.chainId != config.chainId {
            return "peer's chain id \(hello.chainId) differs from ours (\(config.chainId))"
        }
        if hello.genesisHash != config.genesisHash {
            return "peer's genesis hash \(hello.genesisHash) differs from ours (\(config.genesisHash))"
        }
        return nil
    }

    private func misbehaved(_ session: PeerSession, _ reason: String) {
        holdOff(session.key, reason: reason)
        session.end("misbehaviour: \(reason)")
    }

    /// After the read loop: unregister, log, hold off on a transport-level fault, tell the
    /// delegate, wake the dialer waiting on an inbound session.
    private func finish(_ session: PeerSession) {
        session.connection.close()
        let wake = state.withLock { (s: inout State) -> DispatchSemaphore? in
            if s.sessions[session.key] === session { s.sessions[session.key] = nil }
            return s.dialers[session.key]?.wake
        }
        let transportReason = session.connection.closeReason
        let when = session.hasHello ? "" : " before its hello"
        if let reason = session.endReason {
            log("p2p: disconnected \(session.label): \(reason)")
        } else {
            var reason = transportReason?.description ?? "connection closed"
            if !session.hasHello, transportReason == .closedByPeer, session.direction == .outbound {
                // A duplicate would have said goodbye: what is left is a refusal after act three.
                reason += " without a goodbye (it may refuse our key: not in its allowlist, held off, or full)"
            }
            log("p2p: disconnected \(session.label)\(when): \(reason)")
            if let transportReason, transportReason.isMisbehaviour {
                holdOff(session.key, reason: transportReason.description)
            }
        }
        reportDisconnect(session)
        // Wakes a dialer that waits because the peer had dialed us. An outbound session is the
        // dialer's own (only `dialLoop` dials): it is back in its loop already, and a signal
        // here would cut its next backoff short, so a peer that refuses us would be redialed
        // at once, over and over.
        if session.direction == .inbound { wake?.signal() }
    }

    private func announce(_ session: PeerSession, height: UInt64) {
        notifyLock.withLock { _ in
            let current = state.withLock { $0.sessions[session.key] === session }
            guard current, session.markAnnounced() else { return }
            delegate?.network(self, peerConnected: session.key, height: height)
        }
    }

    private func reportDisconnect(_ session: PeerSession) {
        notifyLock.withLock { _ in
            guard session.markDisconnectReported() else { return }
            delegate?.network(self, peerDisconnected: session.key)
        }
    }

    private var delegate: (any NetworkDelegate)? { delegateBox.withLock { $0 } }

    // MARK: Maintenance (Network+Maintenance.swift; dialing: Network+Dialing.swift)

    var isRunning: Bool { state.withLock { $0.phase == .running } }

    // MARK: Helpers

    func spawn(_ name: String, _ body: @escaping @Sendable () -> Void) {
        threads.enter()
        let thread = Thread { [threads] in
            body()
            threads.leave()
        }
        thread.name = name
        thread.start()
    }

    func log(_ line: String) { config.log(line) }

    static func dispatchInterval(_ duration: Duration) -> DispatchTimeInterval {
        let (seconds, attoseconds) = max(duration, .zero).components
        let nanoseconds = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !nanoseconds.overflow, nanoseconds.partialValue < Int64(Int.max) else { return .seconds(Int.max / 2) }
        return .nanoseconds(Int(nanoseconds.partialValue + attoseconds / 1_000_000_000))
    }

    /// Rounded up to whole seconds: "held off for another 42 s".
    static func wholeSeconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return "\(seconds + (attoseconds > 0 ? 1 : 0)) s"
    }

    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let value = Double(seconds) + Double(attoseconds) / 1e18
        return value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }
}
