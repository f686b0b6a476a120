import Foundation
import Synchronization

/// The sending half of a connection and its one record of why the connection ended.
///
/// `send` only queues; a writer thread encrypts and writes, so a slow peer never blocks the
/// caller (a validator broadcasting a vote to every peer). The queue is bounded in plaintext
/// bytes; queued messages share storage with the caller's array (copy on write), so a block
/// broadcast to ten peers is held once, and encryption happens on the writer thread.
final class Outbox: Sendable {
    private struct State {
        var queue: [[UInt8]] = []
        var head = 0
        var queuedBytes = 0
        var closeReason: PeerConnectionError?
        /// Set by `enqueueFinal`: the writer closes the connection once the queue is written.
        var closeWhenDrained = false
    }

    /// How long the writer waits for the peer to close after a final message (a goodbye),
    /// below `PeerConnection.close(after:)`'s one-second bound.
    static let finalMessageLinger: Duration = .milliseconds(500)

    let socket: Socket
    let limits: PeerLimits
    private let state = Mutex(State())
    /// One signal per queued message, plus one on close.
    private let wake = DispatchSemaphore(value: 0)
    /// Signalled once, when the connection closes.
    private let closedSignal = DispatchSemaphore(value: 0)

    init(socket: Socket, limits: PeerLimits) {
        self.socket = socket
        self.limits = limits
    }

    var closeReason: PeerConnectionError? { state.withLock { $0.closeReason } }
    var queuedBytes: Int { state.withLock { $0.queuedBytes } }

    func enqueue(_ message: [UInt8]) throws(PeerConnectionError) {
        guard message.count <= limits.maxMessageBytes else {
            throw .messageTooLarge(length: message.count, limit: limits.maxMessageBytes)
        }
        try state.withLock { (s: inout State) throws(PeerConnectionError) in
            if let reason = s.closeReason { throw reason }
            guard s.queuedBytes + message.count <= limits.maxQueuedSendBytes else {
                throw .sendQueueFull(queued: s.queuedBytes, limit: limits.maxQueuedSendBytes)
            }
            s.queue.append(message)
            s.queuedBytes += message.count
        }
        wake.signal()
    }

    /// Queues a last message; the writer closes the connection (`.closed`) once it is written.
    /// Waits for that at most `timeout`, then closes anyway.
    func enqueueFinal(_ message: [UInt8], timeout: Duration) {
        do {
            try enqueue(message)
        } catch {
            close(.closed)
            return
        }
        state.withLock { $0.closeWhenDrained = true }
        wake.signal()
        if closedSignal.wait(timeout: .now() + Network.dispatchInterval(timeout)) == .timedOut {
            close(.closed)
        } else {
            closedSignal.signal()   // for any other waiter
        }
    }

    /// Ends the connection for `reason` unless it already ended (the first reason is kept).
    /// Wakes the writer and any thread blocked on the socket; the descriptor itself is closed
    /// when the last owner lets go of the `Socket`.
    func close(_ reason: PeerConnectionError) {
        let first = state.withLock { (s: inout State) -> Bool in
            guard s.closeReason == nil else { return false }
            s.closeReason = reason
            s.queue = []
            s.head = 0
            s.queuedBytes = 0
            return true
        }
        guard first else { return }
        socket.shutdown()
        wake.signal()
        closedSignal.signal()
    }

    /// Bytes sealed into one write: small messages (votes) share a syscall; a large message is
    /// written frame by frame, so the writer never holds a second copy of a whole block.
    static let writeBatchBytes = 256 * 1024

    /// The writer thread's loop; returns once the connection has ended.
    func runWriter(_ sender: NoiseTransport.Sender) {
        var sender = sender
        var batch: [UInt8] = []
        batch.reserveCapacity(Self.writeBatchBytes + MessageFraming.maxFramePayload + 64)
        while true {
            wake.wait()
            // Drain everything queued, then wait again; extra signals find the queue empty.
            while let message = pop() {
                let count = MessageFraming.partCount(forLength: message.count)
                for index in 0..<count {
                    batch += sender.sealFrame(MessageFraming.part(of: message, index: index, count: count))
                    if batch.count >= Self.writeBatchBytes {
                        guard write(&batch) else { return }
                    }
                }
                state.withLock { s in
                    // After a close the count was reset to zero; nothing to give back.
                    if s.closeReason == nil { s.queuedBytes -= message.count }
                }
            }
            if !batch.isEmpty {
                guard write(&batch) else { return }
            }
            let (closed, drained) = state.withLock { ($0.closeReason != nil, $0.closeWhenDrained && $0.head == $0.queue.count) }
            if drained {
                socket.lingerAfterFinalWrite(deadline: .now + Self.finalMessageLinger)
                close(.closed)
            }
            if closed || drained { return }
        }
    }

    /// The next queued message, or nil when the queue is empty or the connection has ended.
    private func pop() -> [UInt8]? {
        state.withLock { (s: inout State) -> [UInt8]? in
            guard s.closeReason == nil, s.head < s.queue.count else { return nil }
            let message = s.queue[s.head]
            s.queue[s.head] = []
            s.head += 1
            if s.head == s.queue.count || s.head >= 1024 {
                // Drop the consumed prefix now and then, not on every message.
                s.queue.removeFirst(s.head)
                s.head = 0
            }
            return message
        }
    }

    /// Writes and empties `batch`; false (and the connection closed) if the write failed.
    private func write(_ batch: inout [UInt8]) -> Bool {
        do {
            try socket.writeAll(batch)
            batch.removeAll(keepingCapacity: true)
            return true
        } catch {
            switch error {
            case .timedOut: close(.writeStalled(limits.writeStallTimeout))
            case let .system(reason): close(.io(reason))
            }
            return false
        }
    }
}
